// Checks the architecture rules on src/: imports flow downward through the layers
// and the run-time import graph has no cycle. Type-only imports are erased at run
// time and may point anywhere. Also checks that the playground (web/) uses the library
// as a user would: by its package name, never its source files or the Node-only
// `cortex-nn/node`, and only from the worker. Run: npm run lint
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const web = resolve(src, '..', 'web');

/** Layer rank by top-level entry of src/; a file may import only its own rank or lower. */
const RANKS: Record<string, number> = {
  'errors.ts': 0,
  tensor: 0,
  backend: 1,
  ops: 2,
  autograd: 2,
  nn: 3,
  optim: 3,
  data: 3,
  train: 3,
  explain: 3,
  io: 4,
  cli: 5,
  'index.ts': 6,
  'node.ts': 6,
  // Differential privacy (accountant, DP-SGD)
  privacy: 3,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function rank(file: string): number {
  const top = relative(src, file).split('/')[0]!;
  const r = RANKS[top];
  if (r === undefined) throw new Error(`check-layers: ${relative(src, file)} is in no known layer; add its folder to RANKS`);
  return r;
}

const importRe = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm;
const graph = new Map<string, string[]>();
/** Node built-ins are allowed only in Node-only modules, so the rest runs unchanged in browsers. */
const nodeOnly = (file: string): boolean => /\/node\/|-node\.ts$|\/node\.ts$|^cli\//.test(relative(src, file));
const builtinRe = /^\s*import\s+(?!type\s)[^'";]*?from\s+['"](node:[^'"]+|fs|path|os|url|zlib|child_process|worker_threads)['"]/gm;
const problems: string[] = [];

for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  const deps: string[] = [];
  for (const m of text.matchAll(importRe)) {
    const typeOnly = m[2] !== undefined;
    const spec = m[3] ?? m[4] ?? m[5]!;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (typeOnly) continue;
    const dynamic = m[5] !== undefined;
    if (!dynamic) deps.push(target);
    if (rank(target) > rank(file)) {
      problems.push(`${relative(src, file)} imports ${relative(src, target)} from a higher layer`);
    }
  }
  graph.set(file, deps);
  if (!nodeOnly(`${file}`)) {
    for (const m of text.matchAll(builtinRe)) {
      problems.push(`${relative(src, file)} imports the Node built-in '${m[1]}' but is not a Node-only module (put it under a node/ folder)`);
    }
  }
}

// The playground: relative imports stay inside web/; the library is `cortex-nn`, its
// root only; the page's own modules (outside web/src/worker/) take types from it only,
// so the page paints without loading the library.
const anyImportRe = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
for (const file of files(web).filter((f) => !f.startsWith(join(web, 'dist')))) {
  const name = relative(resolve(web, '..'), file);
  const inWorker = file.startsWith(join(web, 'src', 'worker'));
  for (const m of readFileSync(file, 'utf8').matchAll(anyImportRe)) {
    const spec = m[3] ?? m[4] ?? m[5]!;
    if (spec.startsWith('.') && relative(web, resolve(dirname(file), spec)).startsWith('..')) {
      problems.push(`${name} imports ${spec}, outside web/; import the library as 'cortex-nn'`);
    } else if (spec.startsWith('cortex-nn/')) {
      problems.push(`${name} imports ${spec}; the playground uses the package root 'cortex-nn' only`);
    } else if (spec === 'cortex-nn' && m[2] === undefined && !inWorker) {
      problems.push(`${name} imports 'cortex-nn' at run time; the page leaves the library to the worker (import types only)`);
    }
  }
}

// Cycle detection over static run-time imports.
const state = new Map<string, 1 | 2>();
const stack: string[] = [];
function visit(f: string): void {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 1) {
      const cycle = stack.slice(stack.indexOf(d)).map((p) => relative(src, p));
      problems.push(`import cycle: ${[...cycle, relative(src, d)].join(' -> ')}`);
    } else if (state.get(d) === undefined) visit(d);
  }
  stack.pop();
  state.set(f, 2);
}
for (const f of graph.keys()) if (state.get(f) === undefined) visit(f);

if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-layers: ${graph.size} files, imports flow downward, no cycles`);
