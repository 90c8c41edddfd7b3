// Writes the exported ONNX fixtures (test/onnx/export-fixtures.ts) to
// test/fixtures/onnx-export/, removes stale ones, then runs ONNX's checker on them with
// Debian's python3-onnx (scripts/onnx-check.py), which writes checker.json there.
// Run: node --import tsx scripts/onnx-export-fixtures.ts   (commit the results)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_DIR, FIXTURES } from '../test/onnx/export-fixtures.js';

mkdirSync(FIXTURE_DIR, { recursive: true });
const wanted = new Set(FIXTURES.map((f) => f.file));
for (const name of readdirSync(FIXTURE_DIR)) {
  if (name.endsWith('.onnx') && !wanted.has(name)) unlinkSync(join(FIXTURE_DIR, name));
}
for (const f of FIXTURES) writeFileSync(join(FIXTURE_DIR, f.file), f.bytes());
console.log(`onnx-export-fixtures: wrote ${FIXTURES.length} models to ${FIXTURE_DIR}`);

const python = '/usr/bin/python3';
if (!existsSync(python)) {
  console.error(`onnx-export-fixtures: ${python} not found; run scripts/onnx-check.py with a Python that has the onnx package`);
  process.exit(1);
}
execFileSync(python, [join(import.meta.dirname, 'onnx-check.py'), FIXTURE_DIR], { stdio: 'inherit' });
