/**
 * cortex-nn as a user's web app gets it: the packed tarball installed into the
 * sample apps under test/apps/, built with a bundler, served with COOP/COEP
 * headers and opened in Debian's Chromium (headless, through playwright-core).
 * Each app trains XOR and writes `backendStatus()`, the thread count and the
 * final loss into the page. Slow (packing, npm install, bundling): minutes.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, createLogger, createServer, type Logger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendStatus } from '../../src/backend/default.js';
import { CHROMIUM, hasChromium } from './harness.js';
import { installApp, packCortex, ROOT, serveIsolated, sh } from './pack.js';

interface AppResult {
  status: BackendStatus;
  threads: number;
  loss: number;
}

declare global {
  interface Window {
    cortexResult?: AppResult;
  }
}

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const suite = hasChromium ? describe : describe.skip;

/** A Vite logger that keeps the warnings (and errors) it is given. */
function recordingLogger(into: string[]): Logger {
  const logger = createLogger('warn', { allowClearScreen: false });
  const warn = logger.warn;
  logger.warn = (msg, options) => {
    into.push(msg);
    warn(msg, options);
  };
  logger.warnOnce = (msg, options) => {
    into.push(msg);
    warn(msg, options);
  };
  const error = logger.error;
  logger.error = (msg, options) => {
    into.push(msg);
    error(msg, options);
  };
  return logger;
}

/** Opens `url`, waits for the app to finish training; returns its result and the console's errors and warnings. */
async function runApp(browser: Browser, url: string): Promise<{ result: AppResult; errors: string[]; warnings: string[] }> {
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  const warnings: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.cortexResult !== undefined, undefined, { timeout: 240_000 }).catch((e: unknown) => {
      throw new Error(`the app did not finish training: ${[...errors, String(e)].join('; ')}`);
    });
    const result = (await page.evaluate(() => window.cortexResult)) as AppResult;
    expect(await page.locator('#result').textContent()).toContain('"loss"');
    return { result, errors, warnings };
  } finally {
    await page.close();
  }
}

/** The WASM backend, two threads, XOR learnt, nothing on the console. */
function expectThreadedWasm(run: { result: AppResult; errors: string[]; warnings: string[] }): void {
  const { result, errors, warnings } = run;
  expect(errors).toEqual([]);
  expect(warnings.filter((w) => w.includes('cortex-nn'))).toEqual([]);
  expect(result.status.reason).toBeNull();
  expect(result.status.wasm?.variant).toMatch(/kernels-single(-relaxed)?\.wasm \+ kernels-threads(-relaxed)?\.wasm/);
  expect(result.status.wasm?.threadsAvailable).toBe(true);
  expect(result.threads).toBe(2);
  expect(result.loss).toBeLessThan(0.05);
}

suite('cortex-nn in bundled web apps (Chromium)', () => {
  let packDir: string;
  let browser: Browser;

  beforeAll(async () => {
    packDir = await packCortex();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (packDir !== undefined) rmSync(packDir, { recursive: true, force: true });
  });

  // Vite's "Sourcemap points to missing source files" warnings came from maps naming src/ files that did not ship.
  it('the package: every sourcemap points at a source file that ships', () => {
    const pkg = join(packDir, 'package');
    const maps = readdirSync(join(pkg, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const m of maps) {
      const file = join(pkg, 'dist', m);
      const { sources, sourceRoot } = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const s of sources) if (!existsSync(join(dirname(file), sourceRoot ?? '', s))) missing.push(`${m}: ${s}`);
    }
    expect(missing).toEqual([]);
  });

  describe('Vite', () => {
    let app: string;
    beforeAll(async () => {
      app = await installApp(packDir, 'vite');
    }, 300_000);

    it('vite build: the WASM backend with 2 threads, XOR learnt, no console errors', async () => {
      const logs: string[] = [];
      await build({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'warn', customLogger: recordingLogger(logs) });
      expect(logs.join('\n')).not.toMatch(/node:|browser-external|externalized for browser/);
      const server = await serveIsolated(join(app, 'dist'));
      try {
        expectThreadedWasm(await runApp(browser, server.url));
      } finally {
        await server.close();
      }
    }, 300_000);

    it('vite dev server with the documented config (optimizeDeps.exclude): the same', async () => {
      const logs: string[] = [];
      const server = await createServer({
        root: app,
        configFile: join(app, 'vite.config.ts'),
        logLevel: 'warn',
        customLogger: recordingLogger(logs),
        server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
      });
      await server.listen();
      try {
        const url = server.resolvedUrls?.local[0];
        if (url === undefined) throw new Error('vite dev server: no URL');
        expectThreadedWasm(await runApp(browser, url));
        expect(logs.join('\n')).not.toMatch(/cortex-nn/);
      } finally {
        await server.close();
      }
    }, 300_000);

    it('vite dev server with pre-bundling left on: one warning naming the fix and backendStatus() says why', async () => {
      const logs: string[] = [];
      const server = await createServer({
        root: app,
        // The user's config without its optimizeDeps.exclude (inline config would only add to that list).
        configFile: false,
        logLevel: 'warn',
        customLogger: recordingLogger(logs),
        cacheDir: join(app, 'node_modules/.vite-prebundled'),
        server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, headers: ISOLATION },
      });
      await server.listen();
      try {
        const url = server.resolvedUrls?.local[0];
        if (url === undefined) throw new Error('vite dev server: no URL');
        const { result, errors, warnings } = await runApp(browser, url);
        expect(errors).toEqual([]);
        expect(result.status.wasm).toBeNull();
        expect(result.status.reason).not.toMatch(/SIMD/);
        expect(result.status.reason).toMatch(/kernels-single(-relaxed)?\.wasm/);
        const ours = warnings.filter((w) => w.includes('cortex-nn'));
        expect(ours).toHaveLength(1);
        expect(ours[0]).toContain('optimizeDeps.exclude');
        expect(result.loss).toBeLessThan(0.05);
        expect(logs.join('\n')).not.toMatch(/cortex-nn/);
      } finally {
        await server.close();
      }
    }, 300_000);
  });

  it('vite dev server with a linked (file:) package: a 403 warning names server.fs.allow; with it, 2 threads', async () => {
    const app = join(packDir, 'app-vite-linked');
    cpSync(join(ROOT, 'test/apps/vite'), app, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies['cortex-nn'] = 'file:../package';
    // A linked checkout has its own dependencies installed; npm links the folder as it is.
    await sh('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], join(packDir, 'package'));
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app);
    for (const allow of [null, [app, join(packDir, 'package')]]) {
      const server = await createServer({
        root: app,
        configFile: join(app, 'vite.config.ts'),
        logLevel: 'error',
        server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, ...(allow === null ? {} : { fs: { allow } }) },
      });
      await server.listen();
      try {
        const url = server.resolvedUrls?.local[0];
        if (url === undefined) throw new Error('vite dev server: no URL');
        if (allow !== null) {
          expectThreadedWasm(await runApp(browser, url));
          continue;
        }
        const { result, warnings } = await runApp(browser, url);
        expect(result.status.wasm).toBeNull();
        expect(result.status.reason).toMatch(/kernels-single(-relaxed)?\.wasm failed with HTTP 403/);
        const ours = warnings.filter((w) => w.includes('cortex-nn'));
        expect(ours).toHaveLength(1);
        expect(ours[0]).toContain('server.fs.allow');
      } finally {
        await server.close();
      }
    }
  }, 300_000);

  /** Installs test/apps/<name>, builds it with its build.mjs and the given bundler, and runs it. */
  async function bundledApp(name: string, bundler: unknown): Promise<void> {
    const app = await installApp(packDir, name);
    const { buildApp } = (await import(pathToFileURL(join(app, 'build.mjs')).href)) as {
      buildApp(bundler: unknown, dir: string): Promise<unknown>;
    };
    await buildApp(bundler, app);
    const server = await serveIsolated(join(app, 'dist'));
    try {
      expectThreadedWasm(await runApp(browser, server.url));
    } finally {
      await server.close();
    }
  }

  it('esbuild (bundle, kernels copied next to it as the README says): the WASM backend with 2 threads, no console errors', async () => {
    await bundledApp('esbuild', await import('esbuild'));
  }, 300_000);

  it('webpack 5 (no loaders, no plugins): the WASM backend with 2 threads, no console errors', async () => {
    await bundledApp('webpack', (await import('webpack')).default);
  }, 300_000);
});
