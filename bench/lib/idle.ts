/**
 * How busy the machine is, from /proc/stat (Linux). The benchmark shares its
 * machine with whatever else runs, so it records the load other processes put
 * on the CPUs just before each peer starts, and can wait for a quiet moment.
 * @module
 */
import { readFileSync } from 'node:fs';

function cpuTimes(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fraction (0..1) of all CPUs busy over the next `ms` milliseconds, or NaN off Linux. */
export async function cpuBusy(ms = 500): Promise<number> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  if (a === null || b === null || b.total === a.total) return Number.NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

/**
 * Waits until the CPUs are at most `threshold` busy, for up to `maxSeconds`.
 * Returns the last measured busy fraction.
 */
export async function waitForIdle(threshold: number, maxSeconds: number): Promise<number> {
  const deadline = performance.now() + maxSeconds * 1000;
  let busy = await cpuBusy();
  while (!(busy <= threshold) && performance.now() < deadline && Number.isFinite(busy)) busy = await cpuBusy(1000);
  return busy;
}
