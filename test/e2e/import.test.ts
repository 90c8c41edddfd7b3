/**
 * Importing models trained by `cortex train` into the playground, in Chromium: a model
 * with large layers is drawn compactly and its shape survives the URL; a model trained on
 * a CSV says which CSV it needs on a fresh page, and loads once that CSV is uploaded.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hasChromium, RESULTS, usePlayground } from './harness.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function cortex(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return stdout;
}

const suite = hasChromium && existsSync(CLI) ? describe : describe.skip;

/** A small CSV whose first input has a long name. */
function shapesCsv(): string {
  const rows = ['id,petal_width_in_centimetres,height,kind'];
  for (let i = 0; i < 60; i++) {
    const w = (i % 10) / 10;
    const h = Math.floor(i / 10) / 6;
    rows.push(`${i},${w},${h},${w + h > 0.9 ? 'big' : 'small'}`);
  }
  return `${rows.join('\n')}\n`;
}

suite('importing cortex train models (Chromium)', () => {
  const pg = usePlayground();

  it('asks for the CSV, then draws a 64,32 model compactly, with its shape in the title and the URL', async () => {
    const csv = join(RESULTS, 'import-shapes.csv');
    writeFileSync(csv, shapesCsv());
    const model = join(RESULTS, 'import-shapes-64x32.cortex');
    await cortex('train', csv, '--target', 'kind', '--layers', '64,32', '--epochs', '5', '--seed', '1', '--out', model, '--force');

    const page = await pg().open();
    await page.locator('#import-file').setInputFiles(model);
    const message = page.locator('#message');
    await expect.poll(() => message.textContent()).toContain('Upload that CSV');
    const text = (await message.textContent()) ?? '';
    for (const column of ['petal_width_in_centimetres', 'height', 'kind']) expect(text).toContain(column);
    expect(await page.locator('#csv-hint').textContent()).toContain('petal_width_in_centimetres');

    // Uploading the CSV loads the waiting model on it.
    await page.locator('#csv-file').setInputFiles(csv);
    await expect.poll(() => message.textContent(), { timeout: 60_000 }).toContain('Loaded');
    expect(await page.evaluate(() => window.cortexPlayground!.state().layers)).toEqual([64, 32]);
    await expect.poll(() => page.locator('#arch').textContent()).toBe('2 → 64 → 32 → 2');
    expect(await page.locator('.neuron').count()).toBe(2 + 64 + 32 + 2);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(1400);
    // The long input name stays inside the network panel (shortened, with the full name as a title).
    const clipped = await page.evaluate(() => {
      const panel = document.querySelector('#brain')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('.neuron-caption.in')].filter(
        (c) => c.getBoundingClientRect().left < panel.left,
      ).length;
    });
    expect(clipped).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'import-64x32.png') });

    // The URL keeps the shape, and a reload rebuilds it (with fresh weights).
    const url = page.url();
    expect(url).toContain('layers=64%2C32');
    const again = await pg().open(url.slice(url.indexOf('?')));
    expect(await again.evaluate(() => window.cortexPlayground!.state().layers)).toEqual([64, 32]);
    await again.close();
    await page.close();
  });
});
