/**
 * The page's text around the views: the data labels and legend, the header's figures,
 * and downloads.
 * @module
 */
import { classColor, hex } from './colors.js';
import { byId } from './controls.js';
import type { DataMessage, SnapshotMessage } from './protocol.js';

/** How a class is shown: generated sets name their classes 0, 1, 2... */
export function className(name: string): string {
  return /^\d+$/.test(name) ? `class ${name}` : name;
}

/** The names of the model's outputs: the classes, or the regression target. */
export function outputNames(d: DataMessage): string[] {
  return d.task === 'classification' ? d.classNames.map(className) : [d.targetName];
}

/** Axis caption, score titles and the class legend for a data set. */
export function showDataLabels(d: DataMessage): void {
  byId('axis-x', HTMLDivElement).textContent = `horizontal ${d.featureNames[0]}, vertical ${d.featureNames[1]}`;
  const scoreTitle = byId('score-title', HTMLHeadingElement).firstChild;
  if (scoreTitle) scoreTitle.textContent = d.task === 'classification' ? 'Accuracy ' : 'R² ';
  byId('stat-score-name', HTMLElement).textContent = d.task === 'classification' ? 'Test accuracy' : 'Test R²';
  byId('curve-score', HTMLDivElement).setAttribute(
    'aria-label',
    d.task === 'classification' ? 'Training and test accuracy per epoch' : 'Training and test R² per epoch',
  );
  const legend = byId('classes', HTMLDivElement);
  legend.replaceChildren(
    ...(d.task === 'classification' ? d.classNames.map(className) : [`${d.targetName}: low → high`]).map((name, i) => {
      const item = document.createElement('span');
      const sw = document.createElement('i');
      sw.style.background = d.task === 'classification' ? hex(classColor(i)) : 'linear-gradient(90deg,#e87d1e,#f7f7f5,#256eba)';
      item.append(sw, document.createTextNode(name));
      return item;
    }),
  );
}

/** The header's figures from a snapshot. */
export function showStats(s: SnapshotMessage, task: DataMessage['task']): void {
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
  byId('stat-epoch', HTMLOutputElement).value = String(s.epoch).padStart(3, '0');
  // While paused, the last measured rate stays on show (a new run starts again at 0).
  if (s.running && s.stepsPerSecond > 0) byId('stat-speed', HTMLOutputElement).value = String(s.stepsPerSecond);
  byId('stat-train-loss', HTMLOutputElement).value = fmt(s.latest.trainLoss);
  byId('stat-test-loss', HTMLOutputElement).value = fmt(s.latest.testLoss);
  const score = s.latest.testScore;
  byId('stat-test-score', HTMLOutputElement).value =
    task === 'regression' ? fmt(score) : Number.isFinite(score) ? `${(score * 100).toFixed(1)}%` : '–';
}

/** Saves bytes as a file through a temporary link. */
export function download(bytes: ArrayBuffer, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
