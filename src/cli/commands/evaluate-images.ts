/**
 * `cortex evaluate <model> <images>` for image classifiers (the models `cortex demo
 * fashion-mnist --out` writes): the test images come from Fashion-MNIST, a folder of IDX
 * files, or an IDX images file with its labels file beside it.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Tensor } from '../../autograd/tensor.js';
import type { ClassificationSet } from '../../data/generators.js';
import { imagesAndLabels } from '../../data/idx.js';
import { findFashionMnistDir, readIdxFile } from '../../data/node/idx-file.js';
import { DataError, ModelFormatError } from '../../errors.js';
import type { SavedModel } from '../../io/model-file.js';
import { predict } from '../../train/fit.js';
import { type ClassificationMetrics, ClassificationTally } from '../metrics.js';

/** What an image classifier's file says about its input. */
export interface ImageModel {
  /** One image's shape as the model takes it, e.g. `[1, 28, 28]` or `[784]`. */
  inputShape: number[];
  classes: string[];
}

/**
 * The input shape and class names stored in an image classifier's training record, or
 * null when the file was not written for images (a `cortex train` table model).
 */
export function imageModel(saved: SavedModel, source: string): ImageModel | null {
  if (saved.schema !== null) return null;
  const t = saved.training;
  if (t === null || t.inputShape === undefined) return null;
  const shape = t.inputShape;
  const classes = t.classes;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && (d as number) > 0)) {
    throw new ModelFormatError(`${source}: the training record's inputShape is not a list of positive integers`);
  }
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) {
    throw new ModelFormatError(`${source}: the training record's classes are not a list of at least two names`);
  }
  return { inputShape: shape as number[], classes: classes as string[] };
}

/** Where the labelled test images are: a keyword, a folder or an images file. */
function resolveImages(data: string): { images: string; labels: string } {
  const fail = (what: string, fix: string) => new DataError(`${data}: ${what}. ${fix}`);
  let dir: string | null;
  if (data === 'fashion-mnist') {
    dir = findFashionMnistDir();
    if (dir === null) throw fail('Fashion-MNIST is not installed', 'Run `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass the folder of its IDX files');
  } else if (existsSync(data) && statSync(data).isDirectory()) {
    dir = data;
  } else {
    const m = /^(.*)-images-idx3-ubyte(\.gz)?$/.exec(basename(data));
    if (m === null) {
      throw fail('the model is an image classifier, and this is not labelled images', 'Pass "fashion-mnist", a folder of IDX files, or an …-images-idx3-ubyte[.gz] file with its labels file beside it');
    }
    const labels = [`${m[1]}-labels-idx1-ubyte.gz`, `${m[1]}-labels-idx1-ubyte`].map((f) => join(dirname(data), f)).find((p) => existsSync(p));
    if (labels === undefined) throw fail(`no labels file ${m[1]}-labels-idx1-ubyte[.gz] beside it`, 'Put the labels file next to the images file');
    return { images: data, labels };
  }
  const find = (base: string): string => {
    const hit = [`${base}.gz`, base].map((f) => join(dir, f)).find((p) => existsSync(p));
    if (hit === undefined) throw fail(`the folder has no ${base}[.gz]`, 'Pass a folder with the t10k IDX files (images and labels)');
    return hit;
  };
  return { images: find('t10k-images-idx3-ubyte'), labels: find('t10k-labels-idx1-ubyte') };
}

/** An image classifier's metrics on labelled IDX images, and the file it read. */
export async function evaluateImages(saved: SavedModel, image: ImageModel, data: string): Promise<{ metrics: ClassificationMetrics; images: string; n: number }> {
  const paths = resolveImages(data);
  const [images, labels] = await Promise.all([readIdxFile(paths.images), readIdxFile(paths.labels)]);
  const set: ClassificationSet = imagesAndLabels(images, labels, paths);
  const per = image.inputShape.reduce((a, b) => a * b, 1);
  if (set.features !== per) {
    throw new DataError(`${paths.images}: the model takes images of ${image.inputShape.join('×')} = ${per} values, but these have ${set.features}`);
  }
  const k = image.classes.length;
  const bad = set.y.findIndex((c) => c < 0 || c >= k);
  if (bad >= 0) throw new DataError(`${paths.labels}: label ${set.y[bad]} of image ${bad} is not one of the model's ${k} classes`);
  const tally = new ClassificationTally(k);
  const chunk = 1000;
  for (let s = 0; s < set.n; s += chunk) {
    const n = Math.min(chunk, set.n - s);
    const x = new Tensor(set.x.subarray(s * per, (s + n) * per), [n, ...image.inputShape]);
    const scores = predict(saved.model, x);
    if (scores.shape.length !== 2 || scores.shape[1] !== k) {
      throw new ModelFormatError(`the model outputs shape [${scores.shape.join(', ')}] for ${n} images, not [${n}, ${k}] class scores`);
    }
    tally.add(scores.dataSync(), set.y.subarray(s, s + n), n);
  }
  return { metrics: tally.result(), images: paths.images, n: set.n };
}
