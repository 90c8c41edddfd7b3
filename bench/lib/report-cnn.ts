/**
 * The cnn section's table and its targets (issue 12): seconds per 60k-sample epoch of the
 * Fashion-MNIST CNN, test accuracy, and the speed ratios against Cortex on two threads.
 * @module
 */
import type { CnnResult } from './protocol.js';
import { fix, footnotes, pct, ratio, type RunRecord, statusCell, table, type TargetCheck } from './report.js';

function cnnOf(r: RunRecord | undefined): CnnResult | undefined {
  return r?.status === 'ok' && r.payload && 'cnn' in r.payload ? r.payload.cnn : undefined;
}

/** The Cortex row every ratio is taken against: two threads when it ran, else any Cortex row. */
function reference(recs: readonly RunRecord[]): RunRecord | undefined {
  return recs.find((r) => r.peer === 'cortex-2t' && cnnOf(r)) ?? recs.find((r) => r.cortex && cnnOf(r));
}

/** The CNN table: seconds per 60k epoch, test accuracy and each row's time over Cortex's (2.0× = twice Cortex's time). */
export function cnnReport(records: readonly RunRecord[]): string {
  const recs = records.filter((r) => r.section === 'cnn');
  if (recs.length === 0) return '';
  const ref = reference(recs);
  const base = cnnOf(ref);
  const rows = recs.map((r) => {
    const c = cnnOf(r);
    if (!c) return [r.label, r.reason?.startsWith('cannot train conv') ? 'cannot train conv' : statusCell(r), '', '', ''];
    const n = c.trainSamples;
    const timed = c.extrapolated ? `${n} (${Math.ceil(n / 64)} batches, extrapolated)` : n < 60000 ? `${n} (extrapolated)` : String(n);
    const vs = r === ref ? '—' : base ? `${fix(c.secondsPer60k / base.secondsPer60k, 2)}×` : 'pending';
    return [r.label, fix(c.secondsPer60k, 1), `${pct(c.testAccuracy[c.testAccuracy.length - 1])} (${c.testSamples})`, timed, vs];
  });
  const head = ['peer', 's / epoch (60k)', 'test acc (test images)', 'train samples timed', `time ÷ ${ref?.label ?? 'Cortex'}'s`];
  return `### CNN on Fashion-MNIST (2 conv + 2 linear, examples/fashion-cnn.ts), batch 64, Adam lr 1e-3 (lower time is better)\n\n${table(head, rows)}${footnotes(recs)}`;
}

/** Issue 12's targets: the CNN epoch ≤ 2× PyTorch's, and ≥ 20× faster than TF.js cpu. */
export function cnnTargets(records: readonly RunRecord[]): TargetCheck[] {
  const recs = records.filter((r) => r.section === 'cnn');
  const ref = reference(recs);
  const c = cnnOf(ref);
  if (ref === undefined) return [];
  // The faster of the torch rows (default OpenMP waiting, or passive): the stricter comparison.
  const torch = recs
    .filter((r) => r.peer.startsWith('torch'))
    .map(cnnOf)
    .filter((t): t is CnnResult => t !== undefined)
    .sort((a, b) => a.secondsPer60k - b.secondsPer60k)[0];
  const tcpu = cnnOf(recs.find((r) => r.peer === 'tfjs-cpu'));
  const verdict = (ok: boolean, known: boolean): TargetCheck['verdict'] => (!known ? 'pending' : ok ? 'met' : 'missed');
  return [
    {
      target: `CNN epoch ≤ 2× PyTorch's (2 threads, its faster row), ${ref.label}`,
      measured: c && torch ? `${fix(c.secondsPer60k, 1)} vs ${fix(torch.secondsPer60k, 1)} s: ${fix(c.secondsPer60k / torch.secondsPer60k, 2)}× torch's time` : '—',
      verdict: verdict(!!c && !!torch && c.secondsPer60k <= 2 * torch.secondsPer60k, !!c && !!torch),
    },
    {
      target: `CNN epoch ≥ 20× faster than TF.js cpu, ${ref.label}`,
      measured: c && tcpu ? `${ratio(tcpu.secondsPer60k / c.secondsPer60k)} (TF.js cpu extrapolated from ${tcpu.trainSamples} samples)` : '—',
      verdict: verdict(!!c && !!tcpu && tcpu.secondsPer60k >= 20 * c.secondsPer60k, !!c && !!tcpu),
    },
  ];
}
