/**
 * The gpt section's table and its target (issue 13): milliseconds per training step of the
 * character-level GPT, the loss reached, and each row's time against Cortex on two threads.
 * @module
 */
import type { GptResult } from './protocol.js';
import { fix, footnotes, type RunRecord, statusCell, table, type TargetCheck } from './report.js';

function gptOf(r: RunRecord | undefined): GptResult | undefined {
  return r?.status === 'ok' && r.payload && 'gpt' in r.payload ? r.payload.gpt : undefined;
}

/** The Cortex row every ratio is taken against: two threads (plain SIMD) when it ran, else any Cortex row. */
function reference(recs: readonly RunRecord[]): RunRecord | undefined {
  return recs.find((r) => r.peer === 'cortex-2t' && gptOf(r)) ?? recs.find((r) => r.cortex && gptOf(r));
}

/** Mean ms per step times the 2,000 steps of the full run, in seconds (training only, no evaluation). */
function per2000(g: GptResult): number {
  return (g.msPerStepMean * 2000) / 1000;
}

/** The GPT table: ms per step (median, mean), the 2,000-step extrapolation, the loss, and the ratio to Cortex's time. */
export function gptReport(records: readonly RunRecord[]): string {
  const recs = records.filter((r) => r.section === 'gpt');
  if (recs.length === 0) return '';
  const ref = reference(recs);
  const base = gptOf(ref);
  const rows = recs.map((r) => {
    const g = gptOf(r);
    if (!g) return [r.label, statusCell(r), '', '', '', ''];
    const vs = r === ref ? '—' : base ? `${fix(base.msPerStepMean / g.msPerStepMean, 2)}×` : 'pending';
    return [r.label, fix(g.msPerStepMedian, 1), fix(g.msPerStepMean, 1), fix(per2000(g), 0), fix(g.finalLoss, 3), vs];
  });
  const head = ['peer', 'ms / step (median)', 'ms / step (mean)', 's / 2,000 steps', 'train loss (last 10)', `${ref?.label ?? 'Cortex'}'s time ÷ this`];
  const steps = gptOf(recs.find((r) => gptOf(r)))?.stepsTimed;
  return `### Character-level GPT (examples/char-gpt.ts: 4 layers, 4 heads, width 128, context 64, batch 12, AdamW), ${steps ?? '?'} timed steps (lower time is better)\n\n${table(head, rows)}${footnotes(recs)}`;
}

/** Issue 13's time target: a training step within 1.5× of PyTorch's (its fastest row). */
export function gptTargets(records: readonly RunRecord[]): TargetCheck[] {
  const recs = records.filter((r) => r.section === 'gpt');
  const ref = reference(recs);
  if (ref === undefined) return [];
  const g = gptOf(ref);
  const torch = recs
    .filter((r) => r.peer.startsWith('torch'))
    .map(gptOf)
    .filter((t): t is GptResult => t !== undefined)
    .sort((a, b) => a.msPerStepMean - b.msPerStepMean)[0];
  const known = g !== undefined && torch !== undefined;
  return [
    {
      target: `char-GPT training step ≤ 1.5× PyTorch's (its fastest row), ${ref.label}`,
      measured: known ? `${fix(g.msPerStepMean, 1)} vs ${fix(torch.msPerStepMean, 1)} ms a step (means): ${fix(g.msPerStepMean / torch.msPerStepMean, 2)}× torch's time` : '—',
      verdict: !known ? 'pending' : g.msPerStepMean <= 1.5 * torch.msPerStepMean ? 'met' : 'missed',
    },
  ];
}
