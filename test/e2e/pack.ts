/**
 * The package as users get it: builds cortex-nn into a temporary copy (never
 * touching the checkout's dist/), packs it with `npm pack`, and installs the
 * tarball into temporary copies of the sample apps under test/apps/. Only the
 * npm registry is contacted (for cortex-nn's own dependencies).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Runs a command, failing with its output. */
export async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, timeout: 300_000, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    return stdout + stderr;
  } catch (e) {
    const r = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.message}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  }
}

/**
 * Builds and packs cortex-nn; returns the folder holding `cortex-nn.tgz` and
 * the unpacked package (`package/`, for checks on what ships).
 */
export async function packCortex(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'cortex-pack-'));
  const pkg = join(tmp, 'pkg');
  mkdirSync(pkg);
  for (const f of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, f), join(pkg, f));
  cpSync(join(ROOT, 'src'), join(pkg, 'src'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  await sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], pkg);
  // What `npm run build` copies after tsc (scripts/build-wasm.mjs and build-proto.mjs with --copy).
  for (const dir of ['backend/wasm/generated', 'io/onnx/generated']) cpSync(join(pkg, 'src', dir), join(pkg, 'dist', dir), { recursive: true });
  await sh('npm', ['pack', '--pack-destination', tmp, '--ignore-scripts'], pkg);
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) throw new Error('npm pack wrote no tarball');
  renameSync(join(tmp, tgz), join(tmp, 'cortex-nn.tgz'));
  await sh('tar', ['-xzf', 'cortex-nn.tgz'], tmp);
  return tmp;
}

/** Copies test/apps/<name> next to the tarball and installs it there; returns the app folder. */
export async function installApp(packDir: string, name: string): Promise<string> {
  const app = join(packDir, `app-${name}`);
  cpSync(join(ROOT, 'test/apps', name), app, { recursive: true });
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app);
  return app;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A static file server for `dir` on 127.0.0.1 with the COOP/COEP headers that make a page cross-origin isolated. */
export async function serveIsolated(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
