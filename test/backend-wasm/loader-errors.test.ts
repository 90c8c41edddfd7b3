/**
 * A kernel file that cannot be loaded is reported as such, with its URL and the
 * fix, never as "no WebAssembly SIMD": an HTML page where the wasm should be (a
 * dev server's index.html fallback after Vite's pre-bundling moved the loader),
 * and an HTTP error (a dev server refusing a path outside its allow list).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Platform } from '../../src/backend/wasm/platform.js';

const HTML = new TextEncoder().encode('<!doctype html>\n<html><head><script type="module" src="/main.ts"></script>');

vi.mock('#wasm-platform', () => ({
  hostPlatform: (): Platform => ({
    optInRelaxed: () => {},
    read: async () => new Uint8Array(HTML),
    spawn: null,
    cores: 1,
    canBlock: true,
  }),
}));

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('kernel load errors', () => {
  it('rejects bytes that are not WebAssembly, naming the URL and the Vite fix', async () => {
    const { loadKernels } = await import('../../src/backend/wasm/loader.js');
    const err = await loadKernels({ relaxedSimd: false }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/kernels-single\.wasm is not a WebAssembly module/);
    expect(err?.message).toContain('<!doctype html>');
    expect(err?.message).toContain('optimizeDeps.exclude');
  });

  it('backendStatus() gives that reason, not "no SIMD", and one warning says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { loadDefaultBackend } = await import('../../src/backend/default.js');
    const status = await loadDefaultBackend();
    expect(status.wasm).toBeNull();
    expect(status.reason).toMatch(/is not a WebAssembly module/);
    expect(status.reason).not.toMatch(/SIMD/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/JavaScript backend.*kernels-single-relaxed\.wasm.*optimizeDeps\.exclude/s);
  });

  it('the browser layer names the URL and the HTTP status when the fetch fails', async () => {
    vi.stubGlobal('fetch', async () => new Response('Forbidden', { status: 403 }));
    const { fetchBytes } = await import('../../src/backend/wasm/browser.js');
    const url = new URL('http://127.0.0.1:5173/@fs/x/cortex-nn/dist/backend/wasm/generated/kernels-single.wasm');
    await expect(fetchBytes(url)).rejects.toThrow(/kernels-single\.wasm failed with HTTP 403.*server\.fs\.allow/s);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchBytes(url)).rejects.toThrow(/kernels-single\.wasm failed \(Failed to fetch\)/);
  });
});
