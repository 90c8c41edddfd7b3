import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdx, FASHION_MNIST_CLASSES, parseIdx } from '../../src/data/idx.js';
import { findFashionMnistDir, loadFashionMnist, loadMnist, readIdxFile } from '../../src/data/node/idx-file.js';
import { DataError } from '../../src/errors.js';

/** Builds an IDX file: type code, shape, and the values written big-endian. */
function idx(code: number, shape: number[], values: number[]): Uint8Array {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[code]!;
  const head = 4 + 4 * shape.length;
  const buf = new Uint8Array(head + values.length * size);
  const v = new DataView(buf.buffer);
  buf[2] = code;
  buf[3] = shape.length;
  shape.forEach((d, k) => {
    v.setUint32(4 + 4 * k, d, false);
  });
  values.forEach((x, i) => {
    const at = head + i * size;
    if (code === 8) v.setUint8(at, x);
    else if (code === 9) v.setInt8(at, x);
    else if (code === 11) v.setInt16(at, x, false);
    else if (code === 12) v.setInt32(at, x, false);
    else if (code === 13) v.setFloat32(at, x, false);
    else v.setFloat64(at, x, false);
  });
  return buf;
}

describe('IDX reader', () => {
  it('parses every element type, big-endian', () => {
    expect(parseIdx(idx(8, [2, 2], [0, 1, 254, 255]))).toEqual({ data: Uint8Array.of(0, 1, 254, 255), shape: [2, 2] });
    expect(Array.from(parseIdx(idx(9, [2], [-3, 4])).data)).toEqual([-3, 4]);
    expect(Array.from(parseIdx(idx(11, [2], [-300, 300])).data)).toEqual([-300, 300]);
    expect(Array.from(parseIdx(idx(12, [1, 2], [-70000, 70000])).data)).toEqual([-70000, 70000]);
    expect(Array.from(parseIdx(idx(13, [1], [1.5])).data)).toEqual([1.5]);
    expect(Array.from(parseIdx(idx(14, [1], [0.1])).data)).toEqual([0.1]);
  });

  it('unpacks gzip with DecompressionStream (the browser path) and with zlib (Node)', async () => {
    const raw = idx(8, [3], [7, 8, 9]);
    const fromWeb = await decodeIdx(gzipSync(raw), 'x.gz');
    expect(Array.from(fromWeb.data)).toEqual([7, 8, 9]);
    const dir = mkdtempSync(join(tmpdir(), 'cortex-idx-'));
    writeFileSync(join(dir, 'a.gz'), gzipSync(raw));
    writeFileSync(join(dir, 'a'), raw);
    expect(Array.from((await readIdxFile(join(dir, 'a.gz'))).data)).toEqual([7, 8, 9]);
    expect(Array.from((await readIdxFile(join(dir, 'a'))).data)).toEqual([7, 8, 9]);
  });

  it('reports bad headers and truncated files as DataErrors naming the file', () => {
    expect(() => parseIdx(Uint8Array.of(1, 2, 3, 4), 'f.idx')).toThrow(DataError);
    expect(() => parseIdx(idx(8, [4], [1, 2, 3, 4]).slice(0, 10), 'f.idx')).toThrow(/f\.idx: the header announces shape \[4\]/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 0), 'f.idx')).toThrow(/unknown IDX element type/);
  });

  it('loads an MNIST-layout folder given by path, raw or gzipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-mnist-'));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx(8, [2, 2, 2], [0, 255, 51, 0, 255, 255, 0, 0]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx(8, [2], [3, 9])));
    const set = await loadMnist({ dir, split: 'test' });
    expect(set.n).toBe(2);
    expect(set.features).toBe(4);
    expect(Array.from(set.x.slice(0, 4))).toEqual([0, 1, 0.2, 0].map((v) => Math.fround(v)));
    expect(Array.from(set.y)).toEqual([3, 9]);
  });

  it('missing files tell the user to install dataset-fashion-mnist', async () => {
    const e = await loadFashionMnist({ dir: '/nonexistent/fashion' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toContain('apt-get install dataset-fashion-mnist');
    expect((e as Error).message).toContain('/nonexistent/fashion/train-images-idx3-ubyte');
  });

  it.skipIf(findFashionMnistDir() === null)('reads Debian\'s Fashion-MNIST', async () => {
    const test = await loadFashionMnist({ split: 'test' });
    expect([test.n, test.features, test.classes]).toEqual([10000, 784, 10]);
    expect(test.classNames).toBe(FASHION_MNIST_CLASSES);
    const counts = new Array(10).fill(0);
    for (const y of test.y) counts[y]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    expect(Math.max(...test.x.subarray(0, 784))).toBeLessThanOrEqual(1);
    const few = await loadFashionMnist({ limit: 5 });
    expect(few.n).toBe(5);
  });
});
