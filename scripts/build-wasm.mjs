// Compiles the AssemblyScript kernels in asm/ into the .wasm variants the WASM
// backend loads, and optionally copies them next to the compiled backend.
// First it regenerates the op codes and job layouts (asm/opcodes.ts and
// src/backend/wasm/opcodes.generated.ts) from scripts/kernel-table.ts.
//
//   node scripts/build-wasm.mjs          regenerates the tables, compiles into src/backend/wasm/generated/
//   node scripts/build-wasm.mjs --copy   only copies those files to dist/backend/wasm/generated/
//                                        (run after tsc, so the compiled loader finds them)
//   node scripts/build-wasm.mjs --check  checks the generated tables, compiles into a temporary
//                                        folder and fails unless the committed files are
//                                        identical (used by the tests)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'src/backend/wasm/generated');

/** Memory limits in 64 KiB pages: 4 GiB is the wasm32 maximum. */
const INITIAL_PAGES = 64;
const MAXIMUM_PAGES = 65536;

const common = [
  join(root, 'asm/index.ts'),
  '-O3',
  '--noAssert',
  '--runtime',
  'stub',
  '--importMemory',
  '--initialMemory',
  String(INITIAL_PAGES),
  '--maximumMemory',
  String(MAXIMUM_PAGES),
  // Bytes below 4096 are reserved for the thread-pool control block.
  '--memoryBase',
  '4096',
  '--enable',
  'simd',
];

/**
 * name -> extra flags. `threads` imports a shared memory (for the worker pool);
 * `single` a plain one, which JS copies into several times faster (used for
 * jobs that run on one thread). `relaxed` uses relaxed-SIMD FMA.
 */
const variants = {
  'kernels-threads.wasm': ['--enable', 'threads', '--sharedMemory'],
  'kernels-threads-relaxed.wasm': ['--enable', 'threads', '--sharedMemory', '--enable', 'relaxed-simd'],
  'kernels-single.wasm': [],
  'kernels-single-relaxed.wasm': ['--enable', 'relaxed-simd'],
};

const copyOnly = process.argv.includes('--copy');
const check = process.argv.includes('--check');
const target = check ? mkdtempSync(join(tmpdir(), 'cortex-wasm-')) : outDir;

if (!copyOnly) {
  // The table generator is TypeScript: run it under tsx. With --check it fails on stale files.
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/gen-kernel-table.ts'), ...(check ? ['--check'] : [])], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch {
    process.exit(1);
  }
}

mkdirSync(target, { recursive: true });
for (const [name, extra] of Object.entries(copyOnly ? {} : variants)) {
  const { error, stderr } = await asc.main([...common, ...extra, '--outFile', join(target, name)]);
  if (error) {
    console.error(stderr.toString());
    throw new Error(`build-wasm: compiling ${name} failed: ${error.message}`);
  }
  if (!check) console.log(`build-wasm: wrote src/backend/wasm/generated/${name}`);
}

if (check) {
  const stale = Object.keys(variants).filter(
    (name) => !readFileSync(join(target, name)).equals(readFileSync(join(outDir, name))),
  );
  rmSync(target, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`build-wasm: ${stale.join(', ')} out of date with asm/; run npm run build:wasm`);
    process.exit(1);
  }
  console.log('build-wasm: the committed kernels match asm/');
}

if (copyOnly) {
  const distDir = join(root, 'dist/backend/wasm/generated');
  mkdirSync(distDir, { recursive: true });
  for (const name of Object.keys(variants)) copyFileSync(join(outDir, name), join(distDir, name));
  console.log('build-wasm: copied the kernels to dist/backend/wasm/generated/');
}
