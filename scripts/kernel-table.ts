/**
 * The one table of the WASM kernels: the job kinds, the sub-op codes and the
 * descriptor layout of every job. `scripts/gen-kernel-table.ts` turns it into
 * `asm/opcodes.ts` (AssemblyScript constants for `asm/index.ts` and the
 * kernels) and `src/backend/wasm/opcodes.generated.ts` (the same constants,
 * the code maps typed against the backend's op names, and the argument
 * layouts that drive the generic call path in `src/backend/wasm/call.ts`).
 * Edit this file, then run `npm run build:wasm` (it regenerates both files
 * before compiling); the tests fail while the generated files are stale.
 *
 * Codes are assigned in list order, so reordering a list renumbers the ops;
 * that is harmless because both sides are generated together.
 * @module
 */
import { CONV_JOBS } from './kernel-table-conv.js';
// attention
import { ATTENTION_JOBS } from './kernel-table-attention.js';
// layer norm
import { NORM_JOBS } from './kernel-table-norm.js';

/** Byte address of the job descriptor in the kernel module's memory (slot i is the i32 at JOB_BYTE + 4·i). */
export const JOB_BYTE = 1024;
/** Descriptor slot holding the scratch base address. */
export const SLOT_SCRATCH = 62;
/** Descriptor slot holding the per-thread scratch stride in bytes. */
export const SLOT_STRIDE = 63;

/**
 * Sub-op code spaces. `map` is shared by the unary ops and the ops with scalar
 * parameters (the kernels' `unaryV` switch); `family` says which backend op
 * type each name belongs to. The AssemblyScript constant of an op is the
 * space's prefix and the op's name in capitals: `U_LEAKY_RELU`, `B_MAXIMUM`.
 */
export const CODE_SPACES = {
  map: {
    prefix: 'U',
    ops: [
      { name: 'neg', family: 'unary' },
      { name: 'exp', family: 'unary' },
      { name: 'log', family: 'unary' },
      { name: 'sqrt', family: 'unary' },
      { name: 'abs', family: 'unary' },
      { name: 'relu', family: 'unary' },
      { name: 'sigmoid', family: 'unary' },
      { name: 'tanh', family: 'unary' },
      { name: 'softplus', family: 'unary' },
      { name: 'leakyRelu', family: 'scalar' }, // x > 0 ? x : a·x
      { name: 'clamp', family: 'scalar' }, // min(max(x, a), b)
      { name: 'elu', family: 'scalar' }, // x > 0 ? x : a·(eˣ − 1)
      { name: 'gelu', family: 'unary' }, // x·Φ(x)
    ],
  },
  binary: {
    prefix: 'B',
    ops: ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'].map((name) => ({
      name,
      family: 'binary',
    })),
  },
  grad: {
    prefix: 'G',
    ops: ['relu', 'sigmoid', 'tanh', 'leakyRelu', 'softplus', 'elu', 'gelu'].map((name) => ({ name, family: 'activationGrad' })),
  },
  reduce: {
    prefix: 'R',
    ops: ['sum', 'max', 'min'].map((name) => ({ name, family: 'reduce' })),
  },
} as const;

/** Activations the fused bias-add job applies: `none` is {@link FLAGS}.F_NONE, the others their `map` code. */
export const BIAS_ACTIVATIONS = ['none', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'softplus', 'gelu'] as const;

/** Other constants both sides share. */
export const FLAGS = {
  /** Bias-add job with no activation. */
  F_NONE: -1,
  /** SGD job flag: a fresh momentum buffer. */
  SGD_FRESH: 1,
  /** SGD job flag: Nesterov momentum. */
  SGD_NESTEROV: 2,
} as const;

/**
 * Kinds of descriptor arguments:
 * - `code`: an i32 sub-op code;
 * - `i32` / `f32`: a scalar;
 * - `in`: a Float32Array copied into the arena (the slot holds its byte address);
 * - `inI32`: an Int32Array copied in the same way;
 * - `out`: a float32 result; the caller passes its element count and gets the array back;
 * - `outI32`: an int32 result, passed and returned in the same way;
 * - `inout` / `inoutOpt`: (in-place jobs) a Float32Array copied in and back out; `inoutOpt` may be null (address 0);
 * - `len`: (in-place jobs) the element count of the current block;
 * - `work`: arena scratch of a split job; the caller passes its element count, nothing is copied in or out.
 */
export type ArgKind = 'code' | 'i32' | 'f32' | 'in' | 'inI32' | 'out' | 'outI32' | 'inout' | 'inoutOpt' | 'len' | 'work';

/** One job: its kind number (descriptor slot 0), how it runs, and its arguments in slot order from slot 1. */
export interface JobSpec {
  kind: number;
  /**
   * `split`: a fresh-output job that may be cut into parts over the pool;
   * `inplace`: updates its `inout` arrays block by block on the calling thread.
   */
  mode: 'split' | 'inplace';
  /** Comment for both generated files. */
  doc: string;
  args: readonly (readonly [name: string, kind: ArgKind])[];
}

/** Every job of the kernel module, by name. */
export const JOBS: Record<string, JobSpec> = {
  gemm: {
    kind: 1,
    mode: 'split',
    doc: 'Batched sgemm C[t] = op(A[t])·op(B[t]).',
    args: [
      ['a', 'in'],
      ['b', 'in'],
      ['c', 'out'],
      ['m', 'i32'],
      ['n', 'i32'],
      ['k', 'i32'],
      ['transA', 'i32'],
      ['transB', 'i32'],
      ['batch', 'i32'],
      ['strideA', 'i32'],
      ['strideB', 'i32'],
    ],
  },
  unary: {
    kind: 2,
    mode: 'split',
    doc: 'y = f(x; a, b) elementwise (a `map` code).',
    args: [
      ['op', 'code'],
      ['x', 'in'],
      ['y', 'out'],
      ['n', 'i32'],
      ['a', 'f32'],
      ['b', 'f32'],
    ],
  },
  binary: {
    kind: 3,
    mode: 'split',
    doc: 'y[r, c] = a[r·ra + c·sa] op b[r·rb + c·sb] over a [rows, cols] output.',
    args: [
      ['op', 'code'],
      ['a', 'in'],
      ['ra', 'i32'],
      ['sa', 'i32'],
      ['b', 'in'],
      ['rb', 'i32'],
      ['sb', 'i32'],
      ['y', 'out'],
      ['rows', 'i32'],
      ['cols', 'i32'],
    ],
  },
  activationGrad: {
    kind: 4,
    mode: 'split',
    doc: 'Activation gradient from input x, output y and upstream g.',
    args: [
      ['op', 'code'],
      ['x', 'in'],
      ['y', 'in'],
      ['g', 'in'],
      ['out', 'out'],
      ['n', 'i32'],
      ['a', 'f32'],
    ],
  },
  reduce: {
    kind: 5,
    mode: 'split',
    doc: 'Reduction of the middle axis of x viewed as [outer, r, inner].',
    args: [
      ['op', 'code'],
      ['x', 'in'],
      ['y', 'out'],
      ['outer', 'i32'],
      ['r', 'i32'],
      ['inner', 'i32'],
    ],
  },
  softmax: {
    kind: 6,
    mode: 'split',
    doc: 'Softmax or log-softmax of the rows of x viewed as [outer, n].',
    args: [
      ['x', 'in'],
      ['y', 'out'],
      ['outer', 'i32'],
      ['n', 'i32'],
      ['log', 'i32'],
    ],
  },
  softmaxGrad: {
    kind: 7,
    mode: 'split',
    doc: 'Gradient of softmax rows from the output y and upstream g.',
    args: [
      ['y', 'in'],
      ['g', 'in'],
      ['out', 'out'],
      ['outer', 'i32'],
      ['n', 'i32'],
      ['log', 'i32'],
    ],
  },
  biasActivation: {
    kind: 8,
    mode: 'split',
    doc: 'y = act(x + bias) for x viewed as [m, n] (a `map` code, or F_NONE).',
    args: [
      ['op', 'code'],
      ['x', 'in'],
      ['bias', 'in'],
      ['y', 'out'],
      ['m', 'i32'],
      ['n', 'i32'],
      ['a', 'f32'],
    ],
  },
  softmaxCrossEntropy: {
    kind: 9,
    mode: 'split',
    doc: 'Per-row loss and softmax probabilities of logits [rows, c].',
    args: [
      ['x', 'in'],
      ['labels', 'inI32'],
      ['loss', 'out'],
      ['probs', 'out'],
      ['rows', 'i32'],
      ['c', 'i32'],
    ],
  },
  softmaxCrossEntropyGrad: {
    kind: 10,
    mode: 'split',
    doc: '(probs − onehot(labels))·g[row].',
    args: [
      ['probs', 'in'],
      ['g', 'in'],
      ['labels', 'inI32'],
      ['out', 'out'],
      ['rows', 'i32'],
      ['c', 'i32'],
    ],
  },
  sgd: {
    kind: 11,
    mode: 'inplace',
    doc: 'SGD update (flags: SGD_FRESH, SGD_NESTEROV; buf null without momentum).',
    args: [
      ['w', 'inout'],
      ['g', 'in'],
      ['buf', 'inoutOpt'],
      ['n', 'len'],
      ['flags', 'i32'],
      ['lr', 'f32'],
      ['momentum', 'f32'],
      ['damp1', 'f32'],
      ['weightDecay', 'f32'],
    ],
  },
  adam: {
    kind: 12,
    mode: 'inplace',
    doc: 'Adam/AdamW update (vmax null without AMSGrad).',
    args: [
      ['w', 'inout'],
      ['g', 'in'],
      ['m', 'inout'],
      ['v', 'inout'],
      ['vmax', 'inoutOpt'],
      ['n', 'len'],
      ['stepSize', 'f32'],
      ['beta1', 'f32'],
      ['c1', 'f32'],
      ['beta2', 'f32'],
      ['c2', 'f32'],
      ['eps', 'f32'],
      ['invBc2', 'f32'],
      ['l2', 'f32'],
      ['shrink', 'f32'],
    ],
  },
  rmsprop: {
    kind: 13,
    mode: 'inplace',
    doc: 'RMSprop update (gradAvg null unless centered, buf null without momentum).',
    args: [
      ['w', 'inout'],
      ['g', 'in'],
      ['sq', 'inout'],
      ['gradAvg', 'inoutOpt'],
      ['buf', 'inoutOpt'],
      ['n', 'len'],
      ['lr', 'f32'],
      ['alpha', 'f32'],
      ['c', 'f32'],
      ['eps', 'f32'],
      ['weightDecay', 'f32'],
      ['momentum', 'f32'],
    ],
  },
  adagrad: {
    kind: 14,
    mode: 'inplace',
    doc: 'Adagrad update.',
    args: [
      ['w', 'inout'],
      ['g', 'in'],
      ['sum', 'inout'],
      ['n', 'len'],
      ['lr', 'f32'],
      ['weightDecay', 'f32'],
      ['eps', 'f32'],
    ],
  },
  accumulate: {
    kind: 15,
    mode: 'inplace',
    doc: 'acc += x.',
    args: [
      ['acc', 'inout'],
      ['x', 'in'],
      ['n', 'len'],
    ],
  },
  ...CONV_JOBS,
  // attention
  ...ATTENTION_JOBS,
  // layer norm
  ...NORM_JOBS,
  // Gaussian noise (differential privacy)
  zigguratFast: {
    kind: 34,
    mode: 'split',
    doc: 'Fast path of the ziggurat normal sampler: out[j] = std·u·width[layer], or NaN when |u| is not below the layer threshold.',
    args: [
      ['words', 'inI32'],
      ['table', 'in'],
      ['out', 'out'],
      ['n', 'i32'],
      ['std', 'f32'],
    ],
  },
  // dropout
  dropout: {
    kind: 48,
    mode: 'split',
    doc: 'Dropout with a counter-based mask: y[i] = x[i]·(h(i) < threshold ? scale : 0), h(i) the top 24 bits of a hash of (key0, key1, i); its own adjoint.',
    args: [
      ['x', 'in'],
      ['y', 'out'],
      ['n', 'i32'],
      ['key0', 'i32'],
      ['key1', 'i32'],
      ['threshold', 'i32'],
      ['scale', 'f32'],
    ],
  },
};
