/**
 * Extra input features, as in TensorFlow Playground: x1², x2², x1·x2, sin x1 and sin x2,
 * computed from the two inputs (after the data's preprocessing) and appended to them.
 * @module
 */
import { FEATURE_LABELS, type FeatureName } from '../state.js';

const COMPUTE: Record<FeatureName, (a: number, b: number) => number> = {
  x1sq: (a) => a * a,
  x2sq: (_a, b) => b * b,
  x1x2: (a, b) => a * b,
  sinx1: (a) => Math.sin(a),
  sinx2: (_a, b) => Math.sin(b),
};

/** Model inputs per row: the two inputs and then each chosen feature. */
export function inputWidth(features: readonly FeatureName[]): number {
  return 2 + features.length;
}

/** `[x1, x2]` rows (row-major) extended with the chosen features. */
export function withFeatures(x: Float32Array, features: readonly FeatureName[]): Float32Array {
  if (features.length === 0) return x;
  const n = x.length / 2;
  const w = inputWidth(features);
  const out = new Float32Array(n * w);
  for (let i = 0; i < n; i++) {
    const a = x[2 * i]!;
    const b = x[2 * i + 1]!;
    out[w * i] = a;
    out[w * i + 1] = b;
    features.forEach((f, k) => {
      out[w * i + 2 + k] = COMPUTE[f](a, b);
    });
  }
  return out;
}

/** The names of the model's inputs: the two columns, then the features (e.g. `x1²`). */
export function inputNames(columns: readonly [string, string], features: readonly FeatureName[]): string[] {
  return [...columns, ...features.map((f) => FEATURE_LABELS[f].replace('x1', columns[0]).replace('x2', columns[1]))];
}
