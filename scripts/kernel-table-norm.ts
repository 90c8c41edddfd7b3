/**
 * The layer-norm jobs of the WASM kernels (`asm/norm.ts`), part of the one table in
 * `scripts/kernel-table.ts`, which spreads them into its `JOBS`. Same rules: edit here,
 * then `npm run build:wasm`.
 * @module
 */
import type { JobSpec } from './kernel-table.js';

/** The layer-norm jobs, by name. */
export const NORM_JOBS: Record<string, JobSpec> = {
  layerNorm: {
    kind: 43,
    mode: 'split',
    doc: 'Layer norm of the rows of x [rows, n] with weight and bias [n], and the per-row mean and rstd (split by rows).',
    args: [
      ['x', 'in'],
      ['weight', 'in'],
      ['bias', 'in'],
      ['y', 'out'],
      ['mean', 'out'],
      ['rstd', 'out'],
      ['rows', 'i32'],
      ['n', 'i32'],
      ['eps', 'f32'],
    ],
  },
  layerNormGrad: {
    kind: 44,
    mode: 'split',
    doc: 'dx, dweight, dbias of layer norm from x, the saved mean and rstd, weight [n] and upstream g (one part: the column sums, in f64 scratch, run over every row).',
    args: [
      ['x', 'in'],
      ['mean', 'in'],
      ['rstd', 'in'],
      ['weight', 'in'],
      ['g', 'in'],
      ['dx', 'out'],
      ['dweight', 'out'],
      ['dbias', 'out'],
      ['rows', 'i32'],
      ['n', 'i32'],
    ],
  },
};
