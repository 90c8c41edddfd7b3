import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { DataLoader, TensorDataset, toTensors } from '../../src/data/dataset.js';
import { blobs, sine } from '../../src/data/generators.js';
import { csvFileDataset } from '../../src/data/node/csv-file.js';
import { TablePipeline } from '../../src/data/pipeline.js';
import { CsvStreamDataset } from '../../src/data/stream-dataset.js';
import { tensor } from '../../src/ops/creation.js';

function dataset(n: number): TensorDataset {
  const x = tensor(Float32Array.from({ length: n * 2 }, (_, i) => i), { shape: [n, 2] });
  const y = tensor(Int32Array.from({ length: n }, (_, i) => i), { shape: [n], dtype: 'int32' });
  return new TensorDataset(x, y);
}

function epochLabels(loader: DataLoader): number[][] {
  return [...loader].map((b) => Array.from(b.y.dataSync()));
}

describe('TensorDataset and DataLoader', () => {
  it('gathers rows of x and y together', () => {
    const ds = dataset(5);
    const b = ds.getBatch(Int32Array.of(3, 1));
    expect(b.x.shape).toEqual([2, 2]);
    expect(Array.from(b.x.dataSync())).toEqual([6, 7, 2, 3]);
    expect(b.y.dtype).toBe('int32');
    expect(Array.from(b.y.dataSync())).toEqual([3, 1]);
    expect(() => ds.getBatch(Int32Array.of(5))).toThrow(/out of range/);
    expect(() => new TensorDataset(tensor([[1], [2]]), tensor([1]))).toThrow(/first dimension/);
  });

  it('batches in order, with or without the short last batch', () => {
    const all = new DataLoader(dataset(10), { batchSize: 4 });
    expect(all.length).toBe(3);
    expect(epochLabels(all)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const drop = new DataLoader(dataset(10), { batchSize: 4, dropLast: true });
    expect(drop.length).toBe(2);
    expect(epochLabels(drop).flat()).toHaveLength(8);
  });

  it('seeded shuffling is reproducible, and differs between epochs and seeds', () => {
    const a = new DataLoader(dataset(50), { batchSize: 8, shuffle: true, seed: 11 });
    const b = new DataLoader(dataset(50), { batchSize: 8, shuffle: true, seed: 11 });
    const a1 = epochLabels(a);
    const a2 = epochLabels(a);
    expect(a1).toEqual(epochLabels(b));
    expect(a2).toEqual(epochLabels(b));
    expect(a1).not.toEqual(a2);
    expect(a1.flat().sort((p, q) => p - q)).toEqual([...Array(50).keys()]);
    expect(epochLabels(new DataLoader(dataset(50), { batchSize: 8, shuffle: true, seed: 12 }))).not.toEqual(a1);
  });

  it('turns generated sets and pipeline output into tensors', () => {
    const c = toTensors(blobs({ n: 30, seed: 1 }));
    expect([c.x.shape, c.y.shape, c.y.dtype]).toEqual([[30, 2], [30], 'int32']);
    const r = toTensors(sine({ n: 20 }));
    expect([r.x.shape, r.y.shape, r.y.dtype]).toEqual([[20, 1], [20, 1], 'float32']);
    const t = parseCsv('a,b,y\n1,u,p\n2,v,q\n');
    const enc = new TablePipeline({ target: 'y', onWarning: () => {} }).fitTransform(t);
    const e = toTensors(enc);
    expect(e.x.shape).toEqual([2, 3]);
    expect(Array.from(e.y.dataSync())).toEqual([0, 1]);
  });
});

describe('CsvStreamDataset', () => {
  let csv = 'f1,f2,cls\n';
  for (let i = 0; i < 103; i++) csv += `${i},${(i * 7) % 5},${i % 2 ? 'odd' : 'even'}\n`;
  const pipe = new TablePipeline({ onWarning: () => {} }).fit(parseCsv(csv, { target: 'cls' }));

  it('streams encoded batches across chunk borders', async () => {
    const ds = new CsvStreamDataset(() => new Blob([csv]), { pipeline: pipe, batchSize: 10, chunkRows: 25 });
    const sizes: number[] = [];
    const rows: number[] = [];
    const xs: number[] = [];
    for await (const b of ds) {
      sizes.push(b.x.shape[0]!);
      rows.push(...b.rowNumbers);
      xs.push(...b.x.dataSync());
      expect(b.y?.dtype).toBe('int32');
    }
    expect(sizes).toEqual([...Array(10).fill(10), 3]);
    expect(rows).toEqual(Array.from({ length: 103 }, (_, i) => i + 2));
    expect(xs).toEqual(Array.from(pipe.transform(parseCsv(csv, { target: 'cls' })).x));
  });

  it('shuffles within chunks reproducibly and reads files by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-stream-'));
    const path = join(dir, 'big.csv');
    writeFileSync(path, csv);
    const order = async (seed: number) => {
      const out: number[] = [];
      for await (const b of csvFileDataset(path, { pipeline: pipe, batchSize: 16, shuffle: true, seed })) out.push(...b.rowNumbers);
      return out;
    };
    const a = await order(3);
    expect(a).toEqual(await order(3));
    expect(a).not.toEqual(await order(4));
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 103 }, (_, i) => i + 2));
  });
});
