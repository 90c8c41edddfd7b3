/**
 * TensorFlow Playground's conveniences in the Cortex playground, driven in Chromium: the
 * learning rate changes while training, L1 regularisation, hard decision regions, and
 * editing a weight by clicking it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, type Playground, startPlayground } from './harness.js';

const suite = hasChromium ? describe : describe.skip;

suite('playground parity with TensorFlow Playground (Chromium)', () => {
  let pg: Playground;

  beforeAll(async () => {
    pg = await startPlayground();
  }, 60_000);

  afterAll(async () => {
    await pg?.close();
  });

  it('changes the learning rate while training, without a reset', async () => {
    const page = await pg.open('?data=xor');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => (window.cortexPlayground?.epochs().length ?? 0) > 5, undefined, { timeout: 60_000 });
    const before = await page.evaluate(() => window.cortexPlayground!.step());
    await page.getByLabel('Learning rate').selectOption('0.01');
    await page.waitForFunction((b) => (window.cortexPlayground?.step() ?? 0) > b + 50, before, { timeout: 60_000 });
    expect(await page.evaluate(() => window.cortexPlayground!.state().lr)).toBe(0.01);
    expect(page.url()).toContain('lr=0.01');
    // Still the same run, still playing.
    expect(await page.evaluate(() => window.cortexPlayground!.epochs()[0]!.epoch)).toBe(0);
    expect(await page.locator('#play').getAttribute('aria-label')).toBe('Pause');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.close();
  });

  it('offers L1 regularisation and keeps it in the URL', async () => {
    const page = await pg.open();
    await page.getByLabel('Regularisation').selectOption('l1');
    await page.locator('#reg-rate').selectOption('0.01');
    await page.waitForFunction(() => window.cortexPlayground?.state().regulariser === 'l1');
    expect(page.url()).toContain('reg=l1');
    expect(page.url()).toContain('rate=0.01');
    const step = page.getByRole('button', { name: 'Step: train on one batch' });
    for (let i = 0; i < 3; i++) await step.click();
    await page.waitForFunction(() => window.cortexPlayground?.step() === 3);
    expect((await page.evaluate(() => window.cortexPlayground!.stepLosses())).every(Number.isFinite)).toBe(true);
    await page.close();
  });

  it('discretizes the output and edits a weight by clicking it', async () => {
    const page = await pg.open('?data=circles&layers=4');
    const pixels = () => page.locator('#boundary').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    const soft = await pixels();
    await page.getByLabel('Discretize output').check();
    await expect.poll(pixels).not.toBe(soft);
    await page.getByLabel('Discretize output').uncheck();
    await expect.poll(pixels).toBe(soft);

    // The first link: input x1 to the first hidden neuron.
    await page.locator('.link-hit').first().dispatchEvent('click', { clientX: 200, clientY: 300 });
    const box = page.getByRole('spinbutton', { name: /Edit the weight/ });
    await expect.poll(() => box.isVisible()).toBe(true);
    await box.fill('2.5');
    await box.press('Enter');
    await expect.poll(() => page.evaluate(() => window.cortexPlayground!.weight(0, 0, 0))).toBe(2.5);
    await expect.poll(pixels).not.toBe(soft);
    expect(await box.isVisible()).toBe(false);
    await page.close();
  });
});
