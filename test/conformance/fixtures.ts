/**
 * Loading of the PyTorch reference fixtures written by `scripts/torch-reference.py`
 * (see the comment at the top of that script for the JSON format).
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A number as stored in a fixture: non-finite values are strings. */
export type FixtureNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** One tensor as stored in a fixture. */
export interface FixtureTensor {
  shape: number[];
  data: FixtureNumber[];
  /** Absent for float tensors. */
  dtype?: 'int32' | 'bool';
}

/** An attribute value of an op. */
export type ArgValue = number | string | boolean | null | number[] | number[][];

/** The attributes of one case. */
export type Args = Readonly<Record<string, ArgValue>>;

/** One reference case. */
export interface FixtureCase {
  name: string;
  args: Args;
  inputs: FixtureTensor[];
  output?: FixtureTensor;
  outputs?: FixtureTensor[];
  w?: FixtureTensor | null;
  ws?: FixtureTensor[] | null;
  grads: (FixtureTensor | null)[];
}

/** All cases of one op. */
export interface FixtureOp {
  op: string;
  cases: FixtureCase[];
}

/** The folder holding the fixtures. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');

/** Reads `<op>.json`. */
export function loadOpFixture(op: string): FixtureOp {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${op}.json`), 'utf8')) as FixtureOp;
}

/** Reads `losses.json` (for the nn tests). */
export function loadLossFixtures(): FixtureOp[] {
  const parsed = JSON.parse(readFileSync(join(FIXTURE_DIR, 'losses.json'), 'utf8')) as { ops: FixtureOp[] };
  return parsed.ops;
}

/** Names of every single-op fixture file in the folder (files with a top-level "op"). */
export function listOpFixtures(): string[] {
  const names: string[] = [];
  for (const file of readdirSync(FIXTURE_DIR)) {
    if (!file.endsWith('.json')) continue;
    const parsed = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Partial<FixtureOp>;
    if (typeof parsed.op === 'string' && Array.isArray(parsed.cases)) names.push(parsed.op);
  }
  return names.sort();
}

/** Decodes a stored number. */
export function decodeNumber(v: FixtureNumber): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  return v === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** The values of a stored tensor as float64. */
export function decodeData(t: FixtureTensor): Float64Array {
  return Float64Array.from(t.data, decodeNumber);
}

/** Reads a numeric attribute, or throws (a malformed fixture is a test bug). */
export function num(a: Args, key: string): number {
  const v = a[key];
  if (typeof v !== 'number') throw new Error(`fixture: attribute '${key}' should be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads an optional numeric attribute (absent or null gives undefined). */
export function optNum(a: Args, key: string): number | undefined {
  const v = a[key];
  if (v === undefined || v === null) return undefined;
  return num(a, key);
}

/** Reads an attribute holding a list of numbers. */
export function nums(a: Args, key: string): number[] {
  const v = a[key];
  if (!Array.isArray(v) || !v.every((x): x is number => typeof x === 'number')) {
    throw new Error(`fixture: attribute '${key}' should be a list of numbers, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Reads an attribute holding a list of number pairs (pad widths). */
export function pairs(a: Args, key: string): [number, number][] {
  const v = a[key];
  if (!Array.isArray(v)) throw new Error(`fixture: attribute '${key}' should be a list of pairs`);
  return v.map((p) => {
    if (!Array.isArray(p) || p.length !== 2) throw new Error(`fixture: attribute '${key}' should hold pairs`);
    return [p[0]!, p[1]!];
  });
}

/** Reads an axis attribute: a number, a list of numbers, or null/absent for "all axes". */
export function axisArg(a: Args, key = 'axis'): number | number[] | undefined {
  const v = a[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? v : nums(a, key);
}

/** Reads a boolean attribute, `false` when absent. */
export function flag(a: Args, key: string): boolean {
  const v = a[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new Error(`fixture: attribute '${key}' should be a boolean`);
  return v;
}

/** Reads a string attribute. */
export function str(a: Args, key: string): string {
  const v = a[key];
  if (typeof v !== 'string') throw new Error(`fixture: attribute '${key}' should be a string`);
  return v;
}
