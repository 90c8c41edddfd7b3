import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test, vi } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const dir = mkdtempSync(join(root, 'test', '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every ```ts block of the README that imports the package is run as written. */
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes("from 'cortex-nn'"));

test('the README has runnable examples', () => {
  expect(blocks.length).toBeGreaterThan(0);
});

test.each(blocks.map((b, i) => [i, b] as const))('README example %i runs', async (i, code) => {
  const file = join(dir, `example-${i}.ts`);
  writeFileSync(file, code);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(file);
    expect(log).toHaveBeenCalled();
  } finally {
    log.mockRestore();
  }
});
