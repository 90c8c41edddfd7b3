// Bundled by test/data/browser.test.ts with Vite and run in Chromium: the browser-safe
// data layer must work there unchanged (csv-parse's browser build, Blob, web streams,
// DecompressionStream).
import {
  CsvStreamDataset,
  DataLoader,
  decodeIdx,
  loadIris,
  parseCsv,
  readCsv,
  streamCsv,
  TablePipeline,
  TensorDataset,
  toTensors,
  trainTestSplit,
} from '../../../src/data/index.js';
import { DataError } from '../../../src/errors.js';

/** Runs the checks and returns plain results for the test to compare. */
export async function run(gzIdx: Uint8Array): Promise<Record<string, unknown>> {
  const text = 'a,b,y\n1,"x, quoted",p\n2,z,q\n3,z,p\n';
  const fromBlob = await readCsv(new Blob([text]), { target: 'y' });
  const fromStream = await readCsv(new Blob([text]).stream(), { target: 'y' });
  let chunks = 0;
  for await (const c of streamCsv(new Blob([text]), { chunkRows: 2 })) chunks += c.rows > 0 ? 1 : 0;
  let error = '';
  try {
    parseCsv('a,b\n1,2\n3,oops\n', { source: 'data.csv' });
  } catch (e) {
    error = e instanceof DataError ? `${e.name} row ${e.row} column ${e.column}` : String(e);
  }
  const iris = loadIris();
  const split = trainTestSplit(iris.rows, { testSize: 0.2, seed: 1 });
  const pipe = new TablePipeline({ onWarning: () => {} }).fit(iris);
  const { x, y } = toTensors(pipe.transform(iris));
  const batches = [...new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 3 })].map((b) => b.x.shape[0]);
  let streamed = 0;
  const irisText = 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n7,3.2,4.7,1.4,versicolor\n';
  for await (const b of new CsvStreamDataset(() => new Blob([irisText]), { pipeline: pipe, batchSize: 1 })) streamed += b.x.shape[0]!;
  const idx = await decodeIdx(gzIdx, 'labels.gz');
  return {
    blobRows: fromBlob.rows,
    quoted: fromBlob.columns[1]?.values[0],
    streamRows: fromStream.rows,
    chunks,
    error,
    irisRows: iris.rows,
    testRows: split.test.length,
    batches,
    streamed,
    idx: Array.from(idx.data),
  };
}
