// How this app is built (test/e2e/bundlers.test.ts runs it with the webpack it passes in).
import { cpSync } from 'node:fs';
import { join } from 'node:path';

/** webpack 5 with no loaders or plugins: it emits the .wasm kernels named by new URL(…, import.meta.url). */
export function buildApp(webpack, dir) {
  const config = {
    mode: 'production',
    context: dir,
    entry: './main.js',
    target: 'web',
    output: { path: join(dir, 'dist'), filename: 'main.js', clean: true },
    performance: { hints: false },
  };
  return new Promise((resolve, reject) => {
    webpack(config, (err, stats) => {
      if (err) return reject(err);
      if (stats.hasErrors() || stats.hasWarnings()) return reject(new Error(stats.toString({ all: false, errors: true, warnings: true })));
      cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
      resolve(stats);
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildApp((await import('webpack')).default, process.cwd());
