/**
 * The explain panel, driven in Chromium: a click on a data point (or the arrow keys and
 * Enter on the output view) shows one bar per input the network sees, which follow the
 * training and go when the run is reset.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, pageErrors, RESULTS, usePlayground } from './harness.js';

const suite = hasChromium ? describe : describe.skip;

/** The bars of the explain panel: feature name, value and attribution. */
async function bars(page: Page): Promise<{ feature: string; value: number; attribution: number }[]> {
  return page.locator('#explain li[data-feature]').evaluateAll((items) =>
    items.map((li) => {
      const d = (li as HTMLElement).dataset;
      return { feature: d.feature ?? '', value: Number(d.value), attribution: Number(d.attribution) };
    }),
  );
}

async function panel(page: Page, key: string): Promise<string | undefined> {
  return page.locator('#explain').evaluate((el, k) => (el as HTMLElement).dataset[k], key);
}

async function trainFor(page: Page, epochs: number): Promise<void> {
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction((n) => (window.cortexPlayground?.epochs().length ?? 0) > n, epochs, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
}

suite('playground explain panel (Chromium)', () => {
  const pg = usePlayground();

  it('explains a clicked point over every input, follows training, and clears on reset', async () => {
    const page = await pg().open('?data=spiral&feat=x1sq,sinx1');
    expect(await panel(page, 'state')).toBe('empty');
    await trainFor(page, 10);

    const pos = await page.evaluate(() => window.cortexPlayground!.pointPosition('train', 0));
    expect(pos).toBeDefined();
    await page.locator('#boundary').click({ position: pos! });
    await expect.poll(() => panel(page, 'state')).toBe('ready');
    expect(await page.locator('#boundary').getAttribute('data-marked')).toBe('train:0');
    expect(await panel(page, 'point')).toBe('train:0');

    const shown = await bars(page);
    expect(shown.map((b) => b.feature)).toEqual(['x1', 'x2', 'x1²', 'sin x1']);
    for (const b of shown) {
      expect(Number.isFinite(b.value)).toBe(true);
      expect(Number.isFinite(b.attribution)).toBe(true);
    }
    // Complete: the bars add up to the output's change from the all-zero baseline.
    const output = Number(await panel(page, 'output'));
    const baseline = Number(await panel(page, 'baseline'));
    const delta = Number(await panel(page, 'delta'));
    const total = shown.reduce((a, b) => a + b.attribution, 0);
    expect(Math.abs(delta)).toBeLessThan(1e-3);
    expect(Math.abs(total - (output - baseline))).toBeLessThan(1e-3);
    expect(['0', '1', '2']).toContain(await panel(page, 'predicted'));
    const probability = Number(await panel(page, 'probability'));
    expect(probability).toBeGreaterThan(1 / 3);
    expect(probability).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(RESULTS, 'playground-explain.png') });

    // More training: the panel explains the newer model.
    const step = Number(await panel(page, 'step'));
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>('#explain')?.dataset.step) > s, step, {
      timeout: 60_000,
    });
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await panel(page, 'point')).toBe('train:0');

    // A reset starts a new run: nothing is chosen.
    await page.getByRole('button', { name: 'Reset: new weights from the seed' }).click();
    await expect.poll(() => panel(page, 'state')).toBe('empty');
    expect(await bars(page)).toEqual([]);
    expect(await page.locator('#boundary').getAttribute('data-marked')).toBeNull();
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('chooses a point from the keyboard, and explains a regression output', async () => {
    const page = await pg().open('?data=surface');
    await trainFor(page, 5);
    const plane = page.locator('#boundary');
    await plane.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => plane.getAttribute('data-marked')).toMatch(/^(train|test):\d+$/);
    const first = await plane.getAttribute('data-marked');
    await expect.poll(() => page.locator('#explain .explain-status').textContent()).toContain('Enter explains');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => plane.getAttribute('data-marked')).not.toBe(first);
    const chosen = await plane.getAttribute('data-marked');
    await page.keyboard.press('Enter');
    await expect.poll(() => panel(page, 'state')).toBe('ready');
    expect(await panel(page, 'point')).toBe(chosen);
    expect(await panel(page, 'predicted')).toBeUndefined();
    const shown = await bars(page);
    expect(shown.map((b) => b.feature)).toEqual(['x1', 'x2']);
    expect(shown.every((b) => Number.isFinite(b.attribution))).toBe(true);
    // Escape lets go of the point.
    await page.keyboard.press('Escape');
    await expect.poll(() => panel(page, 'state')).toBe('empty');
    expect(await plane.getAttribute('data-marked')).toBeNull();
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});
