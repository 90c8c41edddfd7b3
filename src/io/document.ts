/**
 * Structural checks of the JSON a model file carries next to its weights. The file may
 * come from anyone, so everything the library or the `cortex` command later reads as a
 * typed object is checked here first: a bad field is a {@link ModelFormatError} naming
 * it, never a `TypeError` deep inside a command.
 * @module
 */
import type { ModelFormatError } from '../errors.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** Throws unless `v` has the shape of a `DataSchema` (task, feature columns, target, id column). */
export function checkSchema(v: unknown, fail: (what: string) => ModelFormatError): void {
  const bad = (what: string) => fail(`the schema ${what}`);
  if (!isObject(v)) throw bad('is not an object');
  if (v.task !== 'classification' && v.task !== 'regression') throw bad(`has task ${JSON.stringify(v.task)}; expected "classification" or "regression"`);
  if (!Array.isArray(v.features)) throw bad("has no 'features' list");
  const names = new Set<string>();
  v.features.forEach((f: unknown, i: number) => {
    if (!isObject(f) || typeof f.name !== 'string') throw bad(`feature ${i} has no name`);
    if (names.has(f.name)) throw bad(`names the feature '${f.name}' twice`);
    names.add(f.name);
    if (f.type !== 'numeric' && f.type !== 'categorical') throw bad(`feature '${f.name}' has type ${JSON.stringify(f.type)}; expected "numeric" or "categorical"`);
    if (f.categories !== undefined && !isStringList(f.categories)) throw bad(`feature '${f.name}' has categories that are not a list of strings`);
    if (f.type === 'categorical' && f.categories === undefined) throw bad(`categorical feature '${f.name}' lists no categories`);
  });
  const t = v.target;
  if (!isObject(t) || typeof t.name !== 'string') throw bad('has no target name');
  if (t.type !== 'numeric' && t.type !== 'categorical') throw bad(`target has type ${JSON.stringify(t.type)}`);
  if (t.classes !== undefined && !isStringList(t.classes)) throw bad('target classes are not a list of strings');
  if (v.task === 'classification' && (t.classes === undefined || (t.classes as string[]).length < 2)) {
    throw bad('is for classification but lists fewer than two target classes');
  }
  if (v.idColumn !== undefined && v.idColumn !== null && typeof v.idColumn !== 'string') throw bad('has an id column that is not a string');
}
