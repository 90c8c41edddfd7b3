/**
 * Runs one peer job in a child process and reads its answer.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { PeerDef } from './plan.js';
import { type Job, type PeerResult, RESULT_MARKER } from './protocol.js';

/** OPENBLAS_* variables this machine sets that slow OpenBLAS down; removed for Python peers. */
export const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

/** What came back from one child. */
export interface Outcome {
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped, or the error of a failed run. */
  reason?: string;
  result?: PeerResult;
  wallSeconds: number;
}

/** The environment for Python peers: ours, without the OPENBLAS_* tuning variables (both together). */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of OPENBLAS_VARS) delete env[k];
  return env;
}

/** Runs a command and collects its output, killing it after `timeoutMs`. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; echo: boolean },
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (opts.echo) process.stderr.write(b);
    });
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Runs `job` on `peer` from the repository root `root`. Never throws. */
/** Where `tsc -p bench` puts a peer script: `bench/peers/x.ts` → `bench/.out/bench/peers/x.js`. */
function compiledPeer(script: string): string {
  return `bench/.out/${script.replace(/\.ts$/, '.js')}`;
}

export async function runJob(
  root: string,
  peer: PeerDef,
  job: Job,
  opts: { timeoutMs: number; verbose: boolean; python: string },
): Promise<Outcome> {
  const t0 = performance.now();
  const isPy = peer.kind === 'python';
  if (isPy && !existsSync(opts.python)) return { status: 'skipped', reason: `skipped: not installed (no ${opts.python})`, wallSeconds: 0 };
  const cmd = isPy ? opts.python : process.execPath;
  // --expose-gc lets the leak check collect garbage before reading RSS; nothing else calls gc().
  // JS peers run compiled (`tsc -p bench`, part of `npm run bench`), without a TypeScript loader.
  const args = isPy ? [peer.script, JSON.stringify(job)] : ['--expose-gc', compiledPeer(peer.script), JSON.stringify(job)];
  const env = { ...(isPy ? pythonEnv() : process.env), ...peer.env };
  const r = await runCommand(cmd, args, { cwd: root, env, timeoutMs: opts.timeoutMs, echo: opts.verbose });
  const wallSeconds = (performance.now() - t0) / 1000;
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (r.timedOut) return { status: 'failed', reason: `timed out after ${opts.timeoutMs / 1000} s`, wallSeconds };
  if (r.code !== 0 || line === undefined) {
    const why = r.signal !== null ? `killed by ${r.signal}` : `exit code ${r.code}`;
    const err = tail(r.stderr, 12) || tail(r.stdout, 12) || '(no output)';
    return { status: 'failed', reason: `${why}\n${err}`, wallSeconds };
  }
  try {
    const result = JSON.parse(line.slice(RESULT_MARKER.length)) as PeerResult;
    if (result.skipped !== undefined) return { status: 'skipped', reason: result.skipped, result, wallSeconds };
    return { status: 'ok', result, wallSeconds };
  } catch (err) {
    return { status: 'failed', reason: `unreadable result line: ${String(err)}`, wallSeconds };
  }
}
