import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv, streamCsv } from '../../src/data/csv.js';
import { recordWindows } from '../../src/data/csv-source.js';
import { readCsvFile, streamCsvFile } from '../../src/data/node/csv-file.js';
import type { Column, Table } from '../../src/data/table.js';

function col(t: Table, name: string): Column {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

function values(t: Table, name: string): (number | string | null)[] {
  const c = col(t, name);
  return c.type === 'numeric' ? Array.from(c.values) : [...c.values];
}

async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('CSV reading', () => {
  it('detects the header and infers column types', () => {
    const t = parseCsv('size,colour,price\n1.5,red,10\n2,blue,\n-3e2,red,7\n');
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([
      ['size', 'numeric'],
      ['colour', 'categorical'],
      ['price', 'numeric'],
    ]);
    expect(values(t, 'size')).toEqual([1.5, 2, -300]);
    expect(values(t, 'price')).toEqual([10, Number.NaN, 7]);
    expect(Array.from(t.rowNumbers)).toEqual([2, 3, 4]);
  });

  it('reads files without a header, detected or declared', () => {
    const t = parseCsv('1,2\n3,4\n');
    expect(t.columns.map((c) => c.name)).toEqual(['column1', 'column2']);
    expect(Array.from(t.rowNumbers)).toEqual([1, 2]);
    const named = parseCsv('a,b\nc,d\n', { header: false, names: ['x', 'y'] });
    expect(values(named, 'x')).toEqual(['a', 'c']);
    expect(parseCsv('a,b\nc,d\n', { header: true }).rows).toBe(1);
  });

  it('takes a delimiter, selects columns by name, keeps the target, and obeys type overrides', () => {
    const t = parseCsv('id;zip;city;y\n1;01234;Oslo;a\n2;99999;Rome;b\n', {
      delimiter: ';',
      columns: ['zip', 'city'],
      target: 'y',
      types: { zip: 'categorical' },
    });
    expect(t.columns.map((c) => c.name)).toEqual(['zip', 'city', 'y']);
    expect(values(t, 'zip')).toEqual(['01234', '99999']);
    expect(t.target).toBe('y');
  });

  it('handles quotes, embedded delimiters and newlines, BOM and CRLF', () => {
    const t = parseCsv('\ufeffname,note\r\n"Smith, J","said ""hi""\nthen left"\r\nLee,ok\r\n');
    expect(values(t, 'name')).toEqual(['Smith, J', 'Lee']);
    expect(values(t, 'note')).toEqual(['said "hi"\nthen left', 'ok']);
    expect(Array.from(t.rowNumbers)).toEqual([3, 4]);
  });

  it('reads strings, Blobs, web streams and byte iterables the same way', async () => {
    const text = 'a,b\n1,x\n2,y\n3,z\n';
    const expected = values(parseCsv(text), 'b');
    const stream = new Blob([text]).stream();
    for (const input of [text, new Blob([text]), stream, chunked(text, 3)]) {
      expect(values(await readCsv(input), 'b')).toEqual(expected);
    }
  });

  it('cuts text windows only on record boundaries, even inside quotes', async () => {
    const text = 'a,b\n1,"x\ny\nz"\n2,"q,""\n"\n3,w\n';
    async function* pieces() {
      for (let i = 0; i < text.length; i += 2) yield text.slice(i, i + 2);
    }
    const windows = [];
    for await (const w of recordWindows(pieces(), '"', 1)) windows.push(w);
    expect(windows.map((w) => w.text).join('')).toBe(text);
    for (const w of windows.slice(0, -1)) expect((w.text.match(/"/g) ?? []).length % 2).toBe(0);
    expect(windows.length).toBeGreaterThan(2);
  });

  it('streams in chunks of rows with the right source rows', async () => {
    let text = 'x,y\n';
    for (let i = 0; i < 2500; i++) text += `${i},${i % 3 === 0 ? 'a' : 'b'}\n`;
    const chunks: Table[] = [];
    for await (const c of streamCsv(chunked(text, 1000), { chunkRows: 1000, inferRows: 100 })) chunks.push(c);
    expect(chunks.map((c) => c.rows)).toEqual([1000, 1000, 500]);
    expect(chunks[2]!.rowNumbers[499]).toBe(2501);
    expect(values(chunks[1]!, 'x')[0]).toBe(1000);
  });

  it('reads files by path, whole or streamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-csv-'));
    const path = join(dir, 'd.csv');
    writeFileSync(path, 'a,b\n1,u\n2,v\n');
    const t = await readCsvFile(path, { target: 'b' });
    expect(t.source).toBe(path);
    expect(values(t, 'a')).toEqual([1, 2]);
    let rows = 0;
    for await (const c of streamCsvFile(path, { chunkRows: 1 })) rows += c.rows;
    expect(rows).toBe(2);
  });
});

describe('CSV options', () => {
  it('maxRows reads only a sample, and later bad rows are not reached', async () => {
    let text = 'a,b\n';
    for (let i = 0; i < 500; i++) text += `${i},${i % 2 ? 'u' : 'v'}\n`;
    text += 'oops,x,too,many\n';
    const t = await readCsv(chunked(text, 100), { maxRows: 123, chunkRows: 50 });
    expect(t.rows).toBe(123);
    expect(Array.from(t.rowNumbers.slice(-1))).toEqual([124]);
    expect(parseCsv(text, { maxRows: 5 }).rows).toBe(5);
    expect(() => parseCsv(text)).toThrow(/row 502/);
  });

  it('names imply a file without a header', () => {
    const t = parseCsv('x,y\nz,w\n', { names: ['p', 'q'] });
    expect(t.rows).toBe(2);
    expect(values(t, 'p')).toEqual(['x', 'z']);
  });
});
