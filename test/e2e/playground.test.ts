/**
 * The playground, driven as a person would drive it: Debian's Chromium (headless, through
 * playwright-core) against Vite's dev server on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { circles } from '../../src/data/generators.js';
import { deserializeModel } from '../../src/io/model-file.js';
import { hasChromium, RESULTS, usePlayground } from './harness.js';

/** The `cortex` command, run from source as a subprocess. */
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function cortex(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  return stdout;
}

if (!hasChromium) {
  console.warn('e2e: skipped because /usr/bin/chromium is missing (install it with: apt-get install -y chromium)');
}

const suite = hasChromium ? describe : describe.skip;

/** The number shown in a stats box of the header. */
async function shown(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`#${id}`).textContent());
}

async function boundaryPixels(page: Page): Promise<string> {
  return page.locator('#boundary').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
}

/** Waits until the page has run `n` steps, then returns the first `n` batch losses. */
async function firstLosses(page: Page, n: number): Promise<number[]> {
  await page.waitForFunction((k) => (window.cortexPlayground?.stepLosses().length ?? 0) >= k, n, { timeout: 20_000 });
  return page.evaluate((k) => window.cortexPlayground!.stepLosses().slice(0, k), n);
}

suite('playground (Chromium)', () => {
  const pg = usePlayground();

  it('learns the spiral: the test loss falls and the decision boundary changes', async () => {
    const page = await pg().open('?data=xor');
    await page.getByRole('radio', { name: 'Spiral' }).check();
    await page.waitForFunction(() => {
      const p = window.cortexPlayground;
      return p?.state().dataset === 'spiral' && p.epochs().length > 0;
    });
    const before = await boundaryPixels(page);
    const startLoss = await shown(page, 'stat-test-loss');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#stat-test-loss')?.textContent) < 0.3, undefined, {
      timeout: 90_000,
    });
    const speed = await shown(page, 'stat-speed');
    await page.getByRole('button', { name: 'Pause' }).click();
    const testLoss = await shown(page, 'stat-test-loss');
    const epoch = await shown(page, 'stat-epoch');
    expect(startLoss).toBeGreaterThan(0.8);
    expect(testLoss).toBeLessThan(0.3);
    expect(await boundaryPixels(page)).not.toBe(before);
    await page.screenshot({ path: join(RESULTS, 'playground-spiral.png') });
    const backend = await page.evaluate(() => window.cortexPlayground!.backend());
    console.log(`e2e spiral: test loss ${startLoss} -> ${testLoss} by epoch ${epoch}, ${speed} steps/s on the ${backend} backend`);
    await page.close();
  });

  it('reproduces a run from its URL: the same first 20 losses', async () => {
    const page = await pg().open();
    await page.getByRole('radio', { name: 'Moons' }).check();
    await page.getByLabel('Activation').selectOption('relu');
    await page.getByLabel('Optimizer').selectOption('momentum');
    await page.getByLabel('Learning rate').selectOption('0.1');
    await page.getByLabel('Batch size').selectOption('8');
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
    await page.getByRole('spinbutton', { name: 'Seed' }).press('Enter');
    await page.getByRole('button', { name: 'Add a hidden layer' }).click();
    await page.waitForFunction(() => {
      const s = window.cortexPlayground?.state();
      return s?.seed === 7 && s.layers.length === 3 && window.cortexPlayground!.epochs().length > 0;
    });
    const url = page.url();
    expect(url).toContain('data=moons');
    expect(url).toContain('seed=7');
    await page.getByRole('button', { name: 'Play' }).click();
    const first = await firstLosses(page, 20);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.close();

    // A fresh page at the same URL, trained with the Step button this time.
    const again = await pg().open(url.slice(url.indexOf('?')));
    expect(await again.evaluate(() => window.cortexPlayground!.state().layers)).toEqual([8, 8, 8]);
    const step = again.getByRole('button', { name: 'Step: train on one batch' });
    for (let i = 0; i < 20; i++) await step.click();
    const second = await firstLosses(again, 20);
    expect(second).toEqual(first);
    await again.close();
  });

  it('exports a trained model that `cortex predict` and `cortex info` load, and imports it back', async () => {
    const page = await pg().open('?data=circles&layers=4&seed=3');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => (window.cortexPlayground?.epochs().at(-1)?.testScore ?? 0) >= 0.95, undefined, {
      timeout: 90_000,
    });
    await page.getByRole('button', { name: 'Pause' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export model' }).click();
    const file = join(RESULTS, 'playground-model.cortex');
    await (await download).saveAs(file);
    expect(existsSync(file)).toBe(true);

    // The same points the page trained on, from the library's generator, as a CSV.
    const data = circles({ n: 400, noise: 0.1 * 0.4, seed: 3 });
    const csv = join(RESULTS, 'playground-circles.csv');
    const lines = ['x1,x2'];
    for (let i = 0; i < data.n; i++) lines.push(`${data.x[2 * i]},${data.x[2 * i + 1]}`);
    writeFileSync(csv, `${lines.join('\n')}\n`);

    if (existsSync(CLI)) {
      const predicted = (await cortex('predict', file, csv)).trim().split('\n');
      expect(predicted[0]).toBe('label');
      expect(predicted.length - 1).toBe(data.n);
      let hits = 0;
      predicted.slice(1).forEach((label, i) => {
        if (label === String(data.y[i])) hits++;
      });
      expect(hits / data.n).toBeGreaterThan(0.9);
      const info = await cortex('info', file);
      expect(info).toContain('Linear');
      expect(info).toContain('cortex playground');
      // The metrics table `cortex train` models get: one column per split, not raw JSON.
      const table = info.slice(info.indexOf('metrics'));
      expect(table).toMatch(/metric\s+train\s+test/);
      expect(table).toMatch(/accuracy\s+(0\.9\d+|1\.0+)\s+(0\.9\d+|1\.0+)/);
      expect(table).toContain('macro F1');
      const saved = deserializeModel(readFileSync(file), file).metrics as Record<string, { rows: number; confusion: number[][] }>;
      expect(saved.train?.rows).toBe(240);
      expect(saved.test?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(160);
    } else {
      console.warn(`e2e: ${CLI} is missing, so cortex predict was not run on the exported model`);
      expect(deserializeModel(readFileSync(file), file).schema?.features.map((f) => f.name)).toEqual(['x1', 'x2']);
    }

    await page.locator('#import-file').setInputFiles(file);
    await expect.poll(() => page.locator('#message').textContent()).toContain('Loaded');
    expect(await page.evaluate(() => window.cortexPlayground!.state().layers)).toEqual([4]);
    await page.close();
  });

  it('trains on an uploaded CSV: the first two numeric columns are the inputs, the target is chosen', async () => {
    const rows = ['id,width,height,kind,score'];
    for (let i = 0; i < 60; i++) {
      const w = (i % 10) / 10;
      const h = Math.floor(i / 10) / 6;
      rows.push(`${i},${w},${h},${w + h > 0.9 ? 'big' : 'small'},${(w * 3 - h).toFixed(3)}`);
    }
    const page = await pg().open();
    await page.locator('#csv-file').setInputFiles({ name: 'shapes.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.waitForFunction(() => window.cortexPlayground?.state().dataset === 'csv');
    const target = page.getByLabel('Target column');
    await expect.poll(() => target.isEnabled()).toBe(true);
    // The id column is skipped, so the inputs are width and height; the last other column is the default target.
    expect(await target.inputValue()).toBe('score');
    await expect.poll(() => page.locator('#stat-score-name').textContent()).toBe('Test R²');
    await target.selectOption('kind');
    await expect.poll(() => page.locator('#classes').textContent()).toContain('small');
    await expect.poll(() => page.locator('#stat-score-name').textContent()).toBe('Test accuracy');
    expect(page.url()).toContain('target=kind');
    expect(await page.locator('#axis-x').textContent()).toBe('horizontal width, vertical height');

    if (existsSync(CLI)) {
      // Trained here, predicted by the CLI on the same file: the id column is carried through.
      await page.getByRole('button', { name: 'Step: train on one batch' }).click();
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export model' }).click();
      const exported = join(RESULTS, 'playground-shapes-page.cortex');
      await (await download).saveAs(exported);
      const original = join(RESULTS, 'playground-shapes-full.csv');
      writeFileSync(original, `${rows.join('\n')}\n`);
      const out = (await cortex('predict', exported, original)).trim().split('\n');
      expect(out[0]).toBe('id,kind');
      expect(out.length - 1).toBe(60);
      expect(out[1]).toMatch(/^0,(big|small)$/);

      // On a fresh page, the model exported from CSV data says which CSV it needs.
      const fresh = await pg().open();
      await fresh.locator('#import-file').setInputFiles(exported);
      await expect.poll(() => fresh.locator('#message').textContent()).toContain("the inputs 'width' and 'height' and the target 'kind'");
      await fresh.locator('#csv-file').setInputFiles(original);
      await expect.poll(() => fresh.locator('#message').textContent()).toContain('Loaded');
      expect(await fresh.evaluate(() => window.cortexPlayground!.state().target)).toBe('kind');
      await fresh.close();

      // A model trained by `cortex train` on the same columns (it standardises them) imports too.
      const csv = join(RESULTS, 'playground-shapes.csv');
      writeFileSync(csv, `${rows.map((r) => r.split(',').slice(0, 4).join(',')).join('\n')}\n`);
      const model = join(RESULTS, 'playground-shapes.cortex');
      await cortex('train', csv, '--target', 'kind', '--layers', '5', '--epochs', '40', '--lr', '0.01', '--seed', '2', '--out', model);
      await page.locator('#import-file').setInputFiles(model);
      await expect.poll(() => page.locator('#message').textContent()).toContain('Loaded');
      expect(await page.evaluate(() => window.cortexPlayground!.state().layers)).toEqual([5]);
      expect(Number.parseFloat((await page.locator('#stat-test-score').textContent()) ?? '')).toBeGreaterThan(80);
    }
    await page.close();
  });

  it("draws the data-set thumbnails from the worker's generators", async () => {
    const page = await pg().open();
    // Pixels that differ from the tile's background, per tile.
    const painted = () =>
      page.locator('#tiles canvas').evaluateAll((canvases) =>
        canvases.map((c) => {
          const canvas = c as HTMLCanvasElement;
          const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] !== 247 || d[i + 1] !== 247 || d[i + 2] !== 245) n++;
          return n;
        }),
      );
    await expect.poll(async () => (await painted()).slice(0, 6).every((n) => n > 500)).toBe(true);
    expect(await page.locator('#tiles input').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([
      'spiral',
      'xor',
      'moons',
      'circles',
      'blobs',
      'surface',
      'csv',
    ]);
    await page.close();
  });

  it('works at 390 px wide and from the keyboard', async () => {
    const page = await pg().open('', { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Every control has a name a screen reader can announce.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, input, select, [tabindex="0"]')]
        .filter((el) => {
          const labels = 'labels' in el ? (el as HTMLInputElement).labels : null;
          const name = el.getAttribute('aria-label') ?? labels?.[0]?.textContent ?? el.textContent ?? '';
          return name.trim() === '';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    await page.getByRole('button', { name: 'Play' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window.cortexPlayground?.step() ?? 0) > 0);
    await page.keyboard.press('Enter');
    await page.screenshot({ path: join(RESULTS, 'playground-phone.png'), fullPage: true });

    // The speed control slows training down to a pace a person can follow: at 30 steps/s the
    // page never runs faster than that, however long the window really lasted (a busy machine
    // only stretches it, and slows the steps down further).
    await page.getByLabel('Speed').selectOption('30');
    const before = await page.evaluate(() => window.cortexPlayground!.step());
    const started = Date.now();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction((b) => (window.cortexPlayground?.step() ?? 0) > b + 3, before);
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Pause' }).click();
    const seconds = (Date.now() - started) / 1000;
    const ran = (await page.evaluate(() => window.cortexPlayground!.step())) - before;
    expect(ran).toBeGreaterThan(3);
    expect(ran).toBeLessThanOrEqual(30 * seconds + 2);
    await page.close();
  });
});
