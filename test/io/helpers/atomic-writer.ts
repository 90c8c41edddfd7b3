// Child process for the atomic-write test: rewrites one file over and over with
// `writeFileAtomic`, each time filled with a different byte, until it is killed.
// Usage: node --import tsx atomic-writer.ts <path> <megabytes>
import { writeFileAtomic } from '../../../src/io/node/atomic.js';

const [path, mb] = process.argv.slice(2);
const bytes = new Uint8Array(Number(mb) * 1024 * 1024);
for (let i = 1; ; i++) {
  bytes.fill((i % 200) + 1);
  process.stdout.write(`writing ${i}\n`);
  await writeFileAtomic(path!, bytes);
}
