/**
 * The metrics an exported model carries, in the same per-split form `cortex train` writes
 * (`{ train: {...}, test: {...} }`), so `cortex info` prints them as its metrics table.
 * Classification: rows, accuracy, macro precision, recall and F1, and `confusion[true][predicted]`;
 * regression: rows, MAE, RMSE and R² in the target's own units. Each split also has its loss.
 * @module
 */
import { confusionMatrix, type JsonObject, macroScores, mae, mse, r2Score } from 'cortex-nn';

/** One split's model outputs (logits or values in the target's units), targets and loss. */
export interface SplitOutputs {
  /** `[rows, classes]` logits (classification) or `[rows]` values (regression). */
  outputs: Float32Array;
  /** Class ids or target values. */
  targets: Float32Array;
  loss: number;
}

/** The metrics of one split. */
export function splitMetrics(split: SplitOutputs, classes: number): JsonObject {
  const rows = split.targets.length;
  const loss = Number.isFinite(split.loss) ? split.loss : null;
  if (classes > 0) {
    const confusion =
      rows === 0
        ? Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
        : confusionMatrix({ data: split.outputs, shape: [rows, classes] }, { data: split.targets, shape: [rows] }, classes);
    let hits = 0;
    for (let c = 0; c < classes; c++) hits += confusion[c]![c]!;
    return { rows, accuracy: rows === 0 ? 0 : hits / rows, ...macroScores(confusion), confusion, loss };
  }
  const pred = { data: split.outputs, shape: [rows] };
  const target = { data: split.targets, shape: [rows] };
  return {
    rows,
    mae: rows === 0 ? 0 : mae(pred, target),
    rmse: rows === 0 ? 0 : Math.sqrt(mse(pred, target)),
    r2: rows === 0 ? 0 : r2Score(pred, target),
    loss,
  };
}
