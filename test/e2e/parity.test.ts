/**
 * TensorFlow Playground's conveniences in the Cortex playground, driven in Chromium: the
 * learning rate changes while training, L1 regularisation, hard decision regions, and
 * editing a weight by clicking it.
 */
import { describe, expect, it } from 'vitest';
import { hasChromium, usePlayground } from './harness.js';

const suite = hasChromium ? describe : describe.skip;

suite('playground parity with TensorFlow Playground (Chromium)', () => {
  const pg = usePlayground();

  it('changes the learning rate while training, without a reset', async () => {
    const page = await pg().open('?data=xor');
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
    const page = await pg().open();
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
    const page = await pg().open('?data=circles&layers=4');
    const pixels = () => page.locator('#boundary').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    const soft = await pixels();
    await page.getByLabel('Discretize output').check();
    await expect.poll(pixels).not.toBe(soft);
    await page.getByLabel('Discretize output').uncheck();
    await expect.poll(pixels).toBe(soft);

    // The training points (test points hidden) are filled in their class colour with a dark
    // outline, so they show on a region of their own class.
    await page.getByLabel('Show test points').uncheck();
    const counts = await page.locator('#boundary').evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const fills = ['232,125,30', '37,110,186'];
      let fill = 0;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (fills.includes(`${d[i]},${d[i + 1]},${d[i + 2]}`)) fill++;
        else if (d[i]! < 70 && d[i + 1]! < 70 && d[i + 2]! < 70) dark++;
      }
      return { fill, dark };
    });
    expect(counts.fill).toBeGreaterThan(240);
    expect(counts.dark).toBeGreaterThan(240);
    await page.getByLabel('Show test points').check();

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

  it('edits a weight from the keyboard: Tab to the weights, arrow keys, Enter, Escape', async () => {
    const page = await pg().open('?data=circles&layers=4');
    const weights = page.locator('#brain svg.brain-links');
    const focused = () => weights.evaluate((el) => document.activeElement === el);
    // The weights are the Tab stop after the layer buttons.
    await page.getByRole('button', { name: 'Add a hidden layer' }).focus();
    await page.keyboard.press('Tab');
    await expect.poll(focused).toBe(true);
    const tip = page.locator('#brain .tooltip');
    await expect.poll(() => tip.textContent()).toContain('input x1 → hidden layer 1, neuron 1');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => tip.textContent()).toContain('input x2 → hidden layer 1, neuron 1');
    const before = await page.evaluate(() => window.cortexPlayground!.weight(0, 0, 1));

    // Escape drops the edit and gives the focus back to the weights.
    await page.keyboard.press('Enter');
    const box = page.getByRole('spinbutton', { name: 'Edit the weight input x2 → hidden layer 1, neuron 1' });
    await expect.poll(() => box.isVisible()).toBe(true);
    expect(await box.evaluate((el) => document.activeElement === el)).toBe(true);
    await page.keyboard.type('9');
    await page.keyboard.press('Escape');
    await expect.poll(() => box.isVisible()).toBe(false);
    expect(await focused()).toBe(true);
    expect(await page.evaluate(() => window.cortexPlayground!.weight(0, 0, 1))).toBe(before);

    // Enter opens it again; Enter in the box sets the weight.
    await page.keyboard.press('Enter');
    await expect.poll(() => box.isVisible()).toBe(true);
    await box.fill('-1.25');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => window.cortexPlayground!.weight(0, 0, 1))).toBe(-1.25);
    expect(await box.isVisible()).toBe(false);
    expect(await focused()).toBe(true);
    // Right moves to the next layer of weights.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => tip.textContent()).toContain('hidden layer 1, neuron 2 → output');
    await page.close();
  });

  it('adds extra inputs (x1², sin x2...) as toggles, kept in the URL, drawn as input neurons', async () => {
    const page = await pg().open('?data=circles&layers=4');
    await page.getByRole('checkbox', { name: 'x1²', exact: true }).check();
    await page.waitForFunction(() => document.querySelectorAll('.neuron-caption.in').length === 3);
    await page.getByRole('checkbox', { name: 'sin x2', exact: true }).check();
    await page.waitForFunction(() => document.querySelectorAll('.neuron-caption.in').length === 4);
    expect(page.url()).toContain('feat=x1sq%2Csinx2');
    await expect.poll(() => page.locator('#arch').textContent()).toBe('4 → 4 → 2');
    const captions = await page.locator('.neuron-caption.in').allTextContents();
    expect(captions).toEqual(['x1', 'x2', 'x1²', 'sin x2']);
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => (window.cortexPlayground?.epochs().at(-1)?.testScore ?? 0) >= 0.9, undefined, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    // Export needs the plain inputs, and says so.
    await page.getByRole('button', { name: 'Export model' }).click();
    await expect.poll(() => page.locator('#message').textContent()).toContain('turn the extra inputs off');
    // A reload keeps the toggles.
    const again = await pg().open(page.url().slice(page.url().indexOf('?')));
    expect(await again.getByRole('checkbox', { name: 'x1²', exact: true }).isChecked()).toBe(true);
    expect(await again.getByRole('checkbox', { name: 'x2²', exact: true }).isChecked()).toBe(false);
    await again.close();
    await page.close();
  });

  it('switches a CSV target of a few whole numbers between classification and regression', async () => {
    const rows = ['width,height,grade'];
    for (let i = 0; i < 80; i++) {
      const w = (i % 10) / 10;
      const h = Math.floor(i / 10) / 8;
      rows.push(`${w},${h},${1 + Math.min(2, Math.floor((w + h) * 1.5))}`);
    }
    const page = await pg().open();
    const problem = page.getByLabel('Problem');
    expect(await problem.isDisabled()).toBe(true);
    await page.locator('#csv-file').setInputFiles({ name: 'grades.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await expect.poll(() => problem.isEnabled()).toBe(true);
    const scoreName = page.locator('#stat-score-name');
    await expect.poll(() => scoreName.textContent()).toBe('Test accuracy');
    await problem.selectOption('regression');
    await expect.poll(() => scoreName.textContent()).toBe('Test R²');
    expect(page.url()).toContain('task=regression');
    await expect.poll(() => page.locator('#arch').textContent()).toBe('2 → 8 → 8 → 1');
    await problem.selectOption('classification');
    await expect.poll(() => scoreName.textContent()).toBe('Test accuracy');
    await expect.poll(() => page.locator('#arch').textContent()).toBe('2 → 8 → 8 → 3');
    // A generated data set has one kind of target only.
    await page.getByRole('radio', { name: 'Moons' }).check();
    await expect.poll(() => problem.isDisabled()).toBe(true);
    await page.close();
  });
});

