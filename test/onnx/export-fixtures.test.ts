/**
 * The committed ONNX fixtures are what `exportOnnx` writes now (so a change in the
 * exporter's output is seen, and the fixtures are regenerated and re-checked with
 * `node --import tsx scripts/onnx-export-fixtures.ts`), ONNX's checker passed every one, and
 * none carries an initializer that no node reads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR, FIXTURES } from './export-fixtures.js';
import { unusedInitializers } from './export-helpers.js';

const REGENERATE = 'regenerate with: node --import tsx scripts/onnx-export-fixtures.ts';

interface CheckerReport {
  onnx: string;
  fullCheck: boolean;
  files: Record<string, string>;
}

describe('ONNX export fixtures', () => {
  const report = JSON.parse(readFileSync(join(FIXTURE_DIR, 'checker.json'), 'utf8')) as CheckerReport;

  it('are exactly the fixtures the generator writes', () => {
    const onDisk = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.onnx')).sort();
    expect(onDisk, REGENERATE).toEqual(FIXTURES.map((f) => f.file).sort());
    expect(Object.keys(report.files).sort(), REGENERATE).toEqual(onDisk);
  });

  it('all pass onnx.checker.check_model(full_check=True)', () => {
    expect(report.fullCheck).toBe(true);
    expect(report.onnx).toMatch(/^1\.\d+/);
    for (const [file, result] of Object.entries(report.files)) expect(result, file).toBe('ok');
  });

  for (const f of FIXTURES) {
    it(`${f.file} is what the exporter writes now`, () => {
      const path = join(FIXTURE_DIR, f.file);
      expect(existsSync(path), REGENERATE).toBe(true);
      const committed = new Uint8Array(readFileSync(path));
      expect(Buffer.from(f.bytes()).equals(Buffer.from(committed)), `${f.file} differs; ${REGENERATE}`).toBe(true);
      expect(unusedInitializers(committed), `${f.file}: initializers no node reads`).toEqual([]);
    });
  }
});
