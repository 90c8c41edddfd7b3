/**
 * Parsers for option values; a bad value is a {@link UsageError} (exit code 1) that names
 * the option and what it accepts.
 * @module
 */
import { UsageError } from './errors.js';

/** A positive integer. */
export function positiveInt(option: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  }
  return n;
}

/** A non-negative integer. */
export function nonNegativeInt(option: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${option} must be a non-negative integer, got "${value}"`);
  return n;
}

/** A finite number greater than zero. */
export function positiveNumber(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${option} must be a number greater than 0, got "${value}"`);
  return n;
}

/** A finite number, zero or more. */
export function nonNegativeNumber(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${option} must be a number >= 0, got "${value}"`);
  return n;
}

/** A fraction in [0, 1). */
export function fraction(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new UsageError(`${option} must be a fraction in [0, 1), got "${value}"`);
  return n;
}

/** Comma-separated positive integers (`64,32`); an empty string means no hidden layers. */
export function sizeList(option: string, value: string): number[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  return value.split(',').map((s) => positiveInt(`${option} (each size)`, s.trim()));
}

/** A CSV field delimiter: one character; `tab` or `\t` for a tab. */
export function delimiter(option: string, value: string): string {
  const d = value === 'tab' || value === '\\t' ? '\t' : value;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new UsageError(`${option} must be one character (or tab), not a quote or a line break, got ${JSON.stringify(value)}`);
  }
  return d;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}
