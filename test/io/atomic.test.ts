import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic } from '../../src/io/node/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const writer = new URL('./helpers/atomic-writer.ts', import.meta.url).pathname;

/** Starts the writer, waits until it has begun write number `n`, waits `delayMs`, then SIGKILLs it. */
function killDuringWrite(path: string, n: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, '16'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`writing ${n}\n`)) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited on its own: ${err}`))));
  });
}

describe('writeFileAtomic', () => {
  it('writes the bytes and leaves no temporary file', async () => {
    const p = join(dir, 'plain.bin');
    await writeFileAtomic(p, Uint8Array.from([1, 2, 3]));
    await writeFileAtomic(p, Uint8Array.from([4, 5]));
    expect([...readFileSync(p)]).toEqual([4, 5]);
    expect(readdirSync(dir).filter((f) => f.startsWith('.plain.bin'))).toEqual([]);
  });

  it('a writer killed with SIGKILL mid-write leaves the old file or a complete new one, never a partial one', async () => {
    let interrupted = 0;
    for (const [i, [n, delay]] of [[1, 0], [1, 5], [2, 2], [3, 10]].entries()) {
      const p = join(dir, `model-${i}.cortex`);
      const old = new Uint8Array(1000).fill(238);
      writeFileSync(p, old);
      await killDuringWrite(p, n!, delay!);
      const now = readFileSync(p);
      if (now.length === old.length) {
        expect(now.every((b) => b === 238)).toBe(true);
      } else {
        expect(now.length).toBe(16 * 1024 * 1024);
        const first = now[0]!;
        expect(first).toBeGreaterThanOrEqual(1);
        expect(first).toBeLessThanOrEqual(200);
        expect(now.every((b) => b === first)).toBe(true);
      }
      // Whatever the killed writer left behind is hidden and cleaned up by the next write.
      const leftovers = readdirSync(dir).filter((f) => f.startsWith(`.model-${i}.cortex.`));
      expect(leftovers.every((f) => f.endsWith('.tmp'))).toBe(true);
      interrupted += leftovers.length;
      await writeFileAtomic(p, Uint8Array.from([9]));
      expect(readdirSync(dir).filter((f) => f.startsWith(`.model-${i}.cortex.`))).toEqual([]);
      expect([...readFileSync(p)]).toEqual([9]);
    }
    // At least one kill landed in the middle of a write (a temporary file was left behind).
    expect(interrupted).toBeGreaterThan(0);
  }, 60_000);

  it('keeps temporary files of live writers', async () => {
    const p = join(dir, 'live.bin');
    const mine = join(dir, `.live.bin.${process.pid}.0badf00d.tmp`);
    writeFileSync(mine, 'x');
    expect(await removeStaleTemps(p)).toEqual([]);
    expect(existsSync(mine)).toBe(true);
    const dead = join(dir, '.live.bin.999999999.0badf00d.tmp');
    writeFileSync(dead, 'x');
    expect(await removeStaleTemps(p)).toEqual(['.live.bin.999999999.0badf00d.tmp']);
  });
});
