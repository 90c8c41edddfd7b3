/**
 * The attention jobs of the WASM kernels (`asm/attention.ts`), part of the one
 * table in `scripts/kernel-table.ts`, which spreads them into its `JOBS`. Same
 * rules: edit here, then `npm run build:wasm`.
 * @module
 */
import type { JobSpec } from './kernel-table.js';

/** The masked-softmax and fused causal attention jobs, by name. */
export const ATTENTION_JOBS: Record<string, JobSpec> = {
  maskedSoftmax: {
    kind: 32,
    mode: 'split',
    doc: 'softmax(scale·x + mask) over the rows of [batch·rows, cols], causal columns zero (split by rows).',
    args: [
      ['x', 'in'],
      ['mask', 'in'],
      ['y', 'out'],
      ['batch', 'i32'],
      ['rows', 'i32'],
      ['cols', 'i32'],
      ['causal', 'i32'],
      ['hasMask', 'i32'],
      ['maskBatch', 'i32'],
      ['maskRepeat', 'i32'],
      ['scale', 'f32'],
    ],
  },
  maskedSoftmaxGrad: {
    kind: 33,
    mode: 'split',
    doc: 'scale·y ⊙ (g − Σ g⊙y) over the visible columns of each row (split by rows).',
    args: [
      ['y', 'in'],
      ['g', 'in'],
      ['out', 'out'],
      ['batch', 'i32'],
      ['rows', 'i32'],
      ['cols', 'i32'],
      ['causal', 'i32'],
      ['scale', 'f32'],
    ],
  },
  // fused causal attention (asm/causal-attention.ts)
  causalAttention: {
    kind: 52,
    mode: 'split',
    doc: 'Causal attention of batch problems: probs = softmax over j ≤ i of scale·q·kᵀ (zero above the diagonal), out = probs·v; only the lower triangle is computed (split by problems).',
    args: [
      ['q', 'in'],
      ['k', 'in'],
      ['v', 'in'],
      ['out', 'out'],
      ['probs', 'out'],
      ['batch', 'i32'],
      ['seq', 'i32'],
      ['dim', 'i32'],
      ['valueDim', 'i32'],
      ['scale', 'f32'],
    ],
  },
  causalAttentionGrad: {
    kind: 53,
    mode: 'split',
    doc: 'dq, dk, dv of causal attention from q, k, v, the saved probs and upstream g, lower triangles only; work holds one [seq, seq] dS matrix per thread (split by problems).',
    args: [
      ['q', 'in'],
      ['k', 'in'],
      ['v', 'in'],
      ['probs', 'in'],
      ['g', 'in'],
      ['dq', 'out'],
      ['dk', 'out'],
      ['dv', 'out'],
      ['work', 'work'],
      ['batch', 'i32'],
      ['seq', 'i32'],
      ['dim', 'i32'],
      ['valueDim', 'i32'],
      ['scale', 'f32'],
    ],
  },
};
