import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const entry = new URL('./browser/entry.ts', import.meta.url).pathname;

let built: Promise<string> | undefined;

/** Bundles the entry once per run. */
function bundle(): Promise<string> {
  built ??= bundleOnce();
  return built;
}

async function bundleOnce(): Promise<string> {
  const out = (await build({
    configFile: false,
    logLevel: 'error',
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'entry' } },
  })) as Rollup.RollupOutput[];
  const chunk = out[0]!.output.find((o): o is Rollup.OutputChunk => o.type === 'chunk');
  return chunk!.code;
}

describe('the data layer in a browser', () => {
  it('bundles without Node built-ins', async () => {
    const code = await bundle();
    expect(code).not.toMatch(/from ['"](node:|fs|zlib|child_process)/);
  }, 60_000);

  it.skipIf(!existsSync(CHROMIUM))('reads CSV from Blobs and streams, encodes, batches and unpacks gzip in Chromium', async () => {
    const code = await bundle();
    const labels = gzipSync(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 3, 4, 5, 6));
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><title>data</title>');
      // The bundle is injected as a module script (a string, so the test runner leaves it alone).
      await page.addScriptTag({ type: 'module', content: `${code}\nwindow.__cortexDataRun = run;` });
      await page.waitForFunction('typeof window.__cortexDataRun === "function"');
      const result: unknown = await page.evaluate(`window.__cortexDataRun(Uint8Array.from(${JSON.stringify(Array.from(labels))}))`);
      expect(result).toEqual({
        blobRows: 3,
        quoted: 'x, quoted',
        streamRows: 3,
        chunks: 2,
        error: 'DataError row 3 column b',
        irisRows: 150,
        testRows: 30,
        batches: [64, 64, 22],
        streamed: 2,
        idx: [4, 5, 6],
      });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
