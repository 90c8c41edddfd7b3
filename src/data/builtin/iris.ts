/**
 * The iris data set as a {@link Table}, with no file access or network: the CSV text is
 * part of the library (`./iris-csv.ts`, identical to `data/iris.csv`).
 * @module
 */
import { parseCsv } from '../csv.js';
import type { Table } from '../table.js';
import { IRIS_CSV } from './iris-csv.js';

/** The iris CSV text (header `sepal_length,sepal_width,petal_length,petal_width,species`). */
export { IRIS_CSV };

/**
 * The 150-row iris table: four numeric measurement columns and the categorical target
 * `species` (setosa, versicolor, virginica), 50 rows each.
 */
export function loadIris(): Table {
  return parseCsv(IRIS_CSV, { source: 'iris.csv', target: 'species' });
}
