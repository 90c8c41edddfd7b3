/**
 * The data layer, Node-only part: CSV files by path (native csv-parse build), streaming
 * datasets over files, IDX files via zlib, and Fashion-MNIST from Debian's package.
 * @module
 */
export { checkFile, csvFileDataset, readCsvFile, streamCsvFile } from './csv-file.js';
export {
  DEBIAN_FASHION_MNIST_DIR,
  findFashionMnistDir,
  loadFashionMnist,
  loadMnist,
  type MnistOptions,
  readIdxFile,
} from './idx-file.js';
// char-gpt: the fortunes text corpus
export { DEBIAN_FORTUNES_DIR, type FortunesCorpus, readFortunes } from './fortunes.js';
