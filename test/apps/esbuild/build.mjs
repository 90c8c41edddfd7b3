// How this app is built (test/e2e/bundlers.test.ts runs it with the esbuild it passes in).
import { cpSync } from 'node:fs';
import { join } from 'node:path';

/** Bundles main.ts into dist/ and copies the kernels cortex-nn loads from next to the bundle. */
export async function buildApp(esbuild, dir) {
  await esbuild.build({
    absWorkingDir: dir,
    entryPoints: ['main.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: 'dist',
    logLevel: 'warning',
  });
  // esbuild keeps new URL('./generated/….wasm', import.meta.url) as is: the kernels go next to the bundle.
  cpSync(join(dir, 'node_modules/cortex-nn/dist/backend/wasm/generated'), join(dir, 'dist/generated'), { recursive: true });
  cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
}

if (import.meta.url === `file://${process.argv[1]}`) await buildApp(await import('esbuild'), process.cwd());
