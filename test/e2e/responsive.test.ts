/**
 * The playground under heavy training, driven in Chromium: the page draws at most one
 * snapshot per animation frame (the worker waits for each to be drawn), Pause stops the
 * training, and a reset clears the figures of the previous run.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasChromium, RESULTS, usePlayground } from './harness.js';

const suite = hasChromium ? describe : describe.skip;

suite('playground under load (Chromium)', () => {
  const pg = usePlayground();

  it('draws one snapshot per frame, pauses, and resets Steps/s', async () => {
    const page = await pg().open('?data=spiral&layers=8,8,8,8,8,8&batch=1&n=1000');
    const speed = page.locator('#stat-speed');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => (window.cortexPlayground?.step() ?? 0) > 300, undefined, { timeout: 60_000 });
    await expect.poll(async () => Number(await speed.textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
    const before = await page.evaluate(() => window.cortexPlayground!.frames());
    await page.waitForFunction((b) => (window.cortexPlayground?.frames().drawn ?? 0) > b + 20, before.drawn, { timeout: 60_000 });
    const after = await page.evaluate(() => window.cortexPlayground!.frames());
    // The worker sends the next snapshot only once the last one is drawn, so none pile up.
    expect(after.received - before.received).toBeLessThanOrEqual(after.drawn - before.drawn + 2);

    await page.getByRole('button', { name: 'Pause' }).click({ timeout: 60_000 });
    await expect.poll(() => page.locator('#play').getAttribute('aria-label')).toBe('Play');
    // Once the worker's last snapshot is in, the step count no longer moves.
    let stopped = -1;
    await expect
      .poll(
        async () => {
          const now = await page.evaluate(() => window.cortexPlayground!.step());
          const same = now === stopped;
          stopped = now;
          return same;
        },
        { timeout: 60_000, interval: 300 },
      )
      .toBe(true);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => window.cortexPlayground!.step())).toBe(stopped);
    expect(Number(await speed.textContent())).toBeGreaterThan(0);

    // Reset: a new run has no speed yet.
    await page.getByRole('button', { name: 'Reset: new weights from the seed' }).click();
    await page.waitForFunction(() => window.cortexPlayground?.step() === 0);
    expect(await speed.textContent()).toBe('0');
    await page.close();
  });

  it('keeps the controls in place when the score changes from accuracy to R²', async () => {
    const page = await pg().open('?data=spiral');
    const where = () =>
      page.evaluate(() =>
        ['#play', '#reset', '#speed', '#stat-epoch', '#stat-test-score'].map((id) => Math.round(document.querySelector(id)!.getBoundingClientRect().left)),
      );
    const before = await where();
    await page.getByRole('radio', { name: 'Surface' }).check();
    await expect.poll(() => page.locator('#stat-score-name').textContent()).toBe('Test R²');
    expect(await where()).toEqual(before);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => (window.cortexPlayground?.epochs().length ?? 0) > 20, undefined, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await where()).toEqual(before);
    await page.screenshot({ path: join(RESULTS, 'playground-surface.png') });
    await page.close();
  });
});
