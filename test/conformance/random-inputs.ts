/**
 * Seeded random shapes and inputs for the gradient checks. Everything is drawn
 * from a Cortex `Generator`, so a failing case reproduces from its seed.
 * @module
 */
import { type Tensor, tensor } from '../../src/index.js';
import type { Generator } from '../../src/tensor/random.js';

/** An integer in [lo, hi]. */
export function int(g: Generator, lo: number, hi: number): number {
  return g.nextInt(lo, hi + 1);
}

/** A random shape of rank in [minRank, maxRank], each dimension in [1, maxDim]. */
export function shape(g: Generator, minRank: number, maxRank: number, maxDim = 4): number[] {
  return Array.from({ length: int(g, minRank, maxRank) }, () => int(g, 1, maxDim));
}

/** A shape that broadcasts with `s`: some trailing dimensions set to 1, maybe fewer axes. */
export function partner(g: Generator, s: readonly number[]): number[] {
  const drop = int(g, 0, s.length);
  return s.slice(drop).map((d) => (g.nextFloat() < 0.4 ? 1 : d));
}

function size(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

function float64(values: Float64Array, s: readonly number[]): Tensor {
  return tensor(values, { shape: s, dtype: 'float64' });
}

/** Standard normal values times `scale`. */
export function normal(g: Generator, s: readonly number[], scale = 1): Tensor {
  return float64(Float64Array.from({ length: size(s) }, () => scale * g.nextNormal()), s);
}

/** Uniform values in [lo, hi). */
export function uniform(g: Generator, s: readonly number[], lo: number, hi: number): Tensor {
  return float64(Float64Array.from({ length: size(s) }, () => lo + (hi - lo) * g.nextFloat()), s);
}

/** Values with |x| in [lo, hi) and a random sign: clear of the kink or pole at 0. */
export function away(g: Generator, s: readonly number[], lo = 0.1, hi = 3): Tensor {
  const v = (): number => (g.nextFloat() < 0.5 ? -1 : 1) * (lo + (hi - lo) * g.nextFloat());
  return float64(Float64Array.from({ length: size(s) }, v), s);
}

/** Distinct values in random order (no ties for max/min), spaced by at least 0.05. */
export function distinct(g: Generator, s: readonly number[]): Tensor {
  const n = size(s);
  const perm = g.permutation(n);
  return float64(Float64Array.from(perm, (p) => (p - n / 2) * 0.3 + 0.1 * g.nextFloat()), s);
}

/** Integer indices in [0, high) as an int32 tensor. */
export function indices(g: Generator, s: readonly number[], high: number): Tensor {
  return tensor(Int32Array.from({ length: size(s) }, () => g.nextInt(0, high)), { shape: s, dtype: 'int32' });
}

/** A 0/1 float mask. */
export function mask(g: Generator, s: readonly number[]): Tensor {
  return float64(Float64Array.from({ length: size(s) }, () => (g.nextFloat() < 0.5 ? 1 : 0)), s);
}

/** A random subset of the axes of a rank-`r` tensor (never empty), or undefined for "all". */
export function axes(g: Generator, r: number): number | number[] | undefined {
  const pick = g.nextFloat();
  if (r === 0 || pick < 0.2) return undefined;
  if (pick < 0.7) return int(g, -r, r - 1);
  const list = Array.from({ length: r }, (_, i) => i).filter(() => g.nextFloat() < 0.5);
  return list.length === 0 ? [0] : list;
}

/** A random permutation of 0..n-1 as a plain array. */
export function perm(g: Generator, n: number): number[] {
  return Array.from(g.permutation(n));
}
