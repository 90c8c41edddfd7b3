import type { DType, TypedArray } from './dtype.js';
import { type Shape, sizeOf } from './shape.js';

/** Nested arrays of numbers, as returned by `Tensor.toArray`. */
export type NestedArray = number | NestedArray[];

/** Row-major `data` of `shape` as nested arrays (a number for a 0-d shape). */
export function nestedArray(data: TypedArray, shape: Shape): NestedArray {
  const build = (axis: number, offset: number, stride: number): NestedArray => {
    if (axis === shape.length) return data[offset]!;
    const n = shape[axis]!;
    const inner = stride / Math.max(n, 1);
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) out.push(build(axis + 1, offset + i * inner, inner));
    return out;
  };
  return build(0, 0, sizeOf(shape));
}

/** Past this many elements, printing shows only the edges of each axis. */
const THRESHOLD = 1000;
const EDGE = 3;

function formatter(data: TypedArray, dtype: DType): (v: number) => string {
  if (dtype === 'int32') return (v) => String(v);
  let allInt = true;
  let maxAbs = 0;
  let minAbs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allInt = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
  }
  if (allInt && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : String(v).replace('Infinity', 'inf'));
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Number.POSITIVE_INFINITY) || maxAbs / minAbs > 1e3;
  return (v) => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return sci ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(4);
  };
}

/**
 * Renders a tensor as PyTorch does: `tensor([[ 0.1000, -2.0000], ...])`,
 * with columns aligned and large tensors summarised with `...`.
 */
export function formatTensor(data: TypedArray, shape: Shape, dtype: DType, suffix = ''): string {
  const f = formatter(data, dtype);
  const summarize = data.length > THRESHOLD;
  const cells: string[] = [];
  for (let i = 0; i < data.length; i++) cells.push(f(data[i]!));
  const width = cells.reduce((w, c) => Math.max(w, c.length), 0);
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  const indent = 'tensor('.length;
  const render = (axis: number, offset: number): string => {
    if (axis === shape.length) return cells[offset]!.padStart(width);
    const n = shape[axis]!;
    const parts: string[] = [];
    const pick = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    for (const i of pick) parts.push(i === -1 ? '...' : render(axis + 1, offset + i * strides[axis]!));
    const depth = shape.length - axis - 1;
    const sep = depth === 0 ? ', ' : `,${'\n'.repeat(depth)}${' '.repeat(indent + axis + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? f(data[0] ?? 0) : render(0, 0);
  const dt = dtype === 'float64' ? ', dtype=float64' : dtype === 'int32' ? ', dtype=int32' : '';
  const tail = suffix === '' ? '' : `, ${suffix}`;
  return `tensor(${body}${dt}${tail})`;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}
