/**
 * End-to-end harness: serves the playground with Vite's dev server on 127.0.0.1 (a free
 * port) and drives Debian's Chromium through playwright-core. Nothing is downloaded.
 */
import { afterAll, beforeAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

/** Debian's Chromium; the tests skip with a message when it is absent. */
export const CHROMIUM = '/usr/bin/chromium';
/** Whether the browser is installed. */
export const hasChromium = existsSync(CHROMIUM);
/** Where screenshots and downloads go. */
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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

/** A served playground and a browser pointed at it. */
export interface Playground {
  url: string;
  browser: Browser;
  context: BrowserContext;
  /** Opens a page at `query` (e.g. `?data=spiral`) and waits until the first snapshot is drawn. */
  open(query?: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

const errorsByPage = new WeakMap<Page, string[]>();

/** The uncaught errors and console errors of a page opened by {@link Playground.open} so far. */
export function pageErrors(page: Page): string[] {
  return [...(errorsByPage.get(page) ?? [])];
}

/** Starts Vite and Chromium (playwright gives every launch a fresh temporary profile). */
export async function startPlayground(): Promise<Playground> {
  mkdirSync(RESULTS, { recursive: true });
  const port = await freePort();
  const server: ViteDevServer = await createServer({
    configFile: join(ROOT, 'web/vite.config.ts'),
    root: join(ROOT, 'web'),
    logLevel: 'error',
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
  });
  await server.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    browser,
    context,
    async open(query = '', viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      errorsByPage.set(page, errors);
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url + query);
      await page
        .waitForFunction(() => (window.cortexPlayground?.epochs().length ?? 0) > 0, undefined, { timeout: 30_000 })
        .catch((e: unknown) => {
          throw new Error(`the playground did not start: ${errors.join('; ') || String(e)}`);
        });
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/** The page's test handle (see `web/src/main.ts`). */
interface PlaygroundHandle {
  state(): { dataset: string; seed: number; layers: number[]; lr: number; regulariser: string; target: string };
  stepLosses(): number[];
  epochs(): { epoch: number; trainLoss: number; testLoss: number; trainScore: number; testScore: number }[];
  backend(): string;
  step(): number;
  frames(): { received: number; drawn: number };
  weight(layer: number, out: number, input: number): number | undefined;
  pointPosition(split: 'train' | 'test', index: number): { x: number; y: number } | undefined;
}

declare global {
  interface Window {
    cortexPlayground?: PlaygroundHandle;
  }
}

/**
 * Starts the playground before the enclosing suite's tests and closes it after them;
 * returns a getter for it (valid inside the tests).
 */
export function usePlayground(): () => Playground {
  let pg: Playground | undefined;
  beforeAll(async () => {
    pg = await startPlayground();
  }, 60_000);
  afterAll(async () => {
    await pg?.close();
  });
  return () => {
    if (pg === undefined) throw new Error('the playground did not start');
    return pg;
  };
}
