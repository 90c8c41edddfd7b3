/**
 * The WASM backend in Chromium: loaded with fetch from a Vite dev server,
 * once on a cross-origin isolated page (shared memory, a Web Worker pool)
 * and once on a plain page (one thread, the non-shared build).
 * Skips when Debian's Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Report {
  variant: string;
  isolated: boolean;
  threadsAvailable: boolean;
  threads: number[];
  worst: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function reportFrom(isolated: boolean): Promise<Report> {
  const port = await freePort();
  const headers: Record<string, string> = isolated
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const server = await createServer({
    configFile: false,
    root: ROOT,
    logLevel: 'error',
    // The sources' platform layer, as a browser bundle of the package gets it from package.json's "imports".
    resolve: { alias: { '#wasm-platform': `${ROOT}src/backend/wasm/browser.ts` } },
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null, headers },
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/test/backend-wasm/fixtures/browser.html`);
    await page.waitForFunction('window.cortexWasmReport !== undefined', undefined, { timeout: 60_000 });
    return (await page.evaluate('window.cortexWasmReport')) as Report;
  } finally {
    await browser.close();
    await server.close();
  }
}

describe.skipIf(!existsSync(CHROMIUM))('the WASM backend in Chromium', () => {
  it('runs threaded on a cross-origin isolated page', async () => {
    const r = await reportFrom(true);
    expect(r.isolated).toBe(true);
    expect(r.threadsAvailable).toBe(true);
    expect(r.variant).toMatch(/^kernels-single(-relaxed)?\.wasm \+ kernels-threads(-relaxed)?\.wasm$/);
    expect(r.threads).toEqual([1, 2]);
    expect(r.worst).toBeLessThan(1e-3);
  }, 120_000);

  it('runs on one thread with the plain build elsewhere', async () => {
    const r = await reportFrom(false);
    expect(r.isolated).toBe(false);
    expect(r.threadsAvailable).toBe(false);
    expect(r.variant).toMatch(/^kernels-single(-relaxed)?\.wasm$/);
    expect(r.threads).toEqual([1, 1]);
    expect(r.worst).toBeLessThan(1e-3);
  }, 120_000);
});
