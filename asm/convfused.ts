// Fused convolution jobs: the column matrix of one image at a time is built
// in (or read from) the calling thread's work area and never leaves the
// module. The forward pass unfolds an image and multiplies it by the weight
// straight into the NCHW output, the input gradient multiplies weightᵀ by the
// image's output gradient and folds the columns back, and the weight gradient
// unfolds the image again and adds g·colsᵀ into a per-part partial sum.
// Images are independent, so the jobs split over them.

import { col2im, im2col } from './conv';
import { gemmBlock } from './gemm';
import { maxPool2d } from './pool';
import {
  CONV2D_BIAS, CONV2D_BY_CHANNELS, CONV2D_COLS_PER_THREAD, CONV2D_HAS_BIAS, CONV2D_N, CONV2D_WEIGHT, CONV2D_WORK, CONV2D_X, CONV2D_Y,
  CONV2D_GRAD_INPUT_COLS_PER_THREAD, CONV2D_GRAD_INPUT_DX, CONV2D_GRAD_INPUT_G, CONV2D_GRAD_INPUT_N, CONV2D_GRAD_INPUT_WEIGHT,
  CONV2D_GRAD_INPUT_WORK,
  CONV2D_GRAD_WEIGHT_COLS_PER_THREAD, CONV2D_GRAD_WEIGHT_G, CONV2D_GRAD_WEIGHT_N, CONV2D_GRAD_WEIGHT_PART_COUNT, CONV2D_GRAD_WEIGHT_PARTIALS,
  CONV2D_GRAD_WEIGHT_WORK, CONV2D_GRAD_WEIGHT_X,
  JOB, K_CONV2D, K_CONV2D_GRAD_INPUT, K_CONV2D_GRAD_WEIGHT,
  CONV2D_MAX_POOL_BIAS, CONV2D_MAX_POOL_COLS_PER_THREAD, CONV2D_MAX_POOL_HAS_BIAS, CONV2D_MAX_POOL_INDICES, CONV2D_MAX_POOL_N,
  CONV2D_MAX_POOL_POOL_H, CONV2D_MAX_POOL_VALUES, CONV2D_MAX_POOL_WEIGHT, CONV2D_MAX_POOL_WORK, CONV2D_MAX_POOL_X, K_CONV2D_MAX_POOL,
  CONV2D_MAX_POOL_GRAD_INPUT_COLS_PER_THREAD, CONV2D_MAX_POOL_GRAD_INPUT_DX, CONV2D_MAX_POOL_GRAD_INPUT_G, CONV2D_MAX_POOL_GRAD_INPUT_INDICES,
  CONV2D_MAX_POOL_GRAD_INPUT_N, CONV2D_MAX_POOL_GRAD_INPUT_POOLED_PLANE, CONV2D_MAX_POOL_GRAD_INPUT_WEIGHT, CONV2D_MAX_POOL_GRAD_INPUT_WORK,
  K_CONV2D_MAX_POOL_GRAD_INPUT,
  CONV2D_MAX_POOL_GRAD_WEIGHT_COLS_PER_THREAD, CONV2D_MAX_POOL_GRAD_WEIGHT_G, CONV2D_MAX_POOL_GRAD_WEIGHT_INDICES, CONV2D_MAX_POOL_GRAD_WEIGHT_N,
  CONV2D_MAX_POOL_GRAD_WEIGHT_PART_COUNT, CONV2D_MAX_POOL_GRAD_WEIGHT_PARTIALS, CONV2D_MAX_POOL_GRAD_WEIGHT_POOLED_PLANE,
  CONV2D_MAX_POOL_GRAD_WEIGHT_WORK, CONV2D_MAX_POOL_GRAD_WEIGHT_X, K_CONV2D_MAX_POOL_GRAD_WEIGHT,
} from './opcodes';

// The geometry of the three jobs is read straight from the descriptor: 16
// consecutive slots from `f` (n, c, h, w, kh, kw, strides, pads, dilations,
// outH, outW, outC, groups), the same for every thread of a job (no
// module globals: the threaded build's instances share one memory).
@inline function slot(i: i32): i32 {
  return load<i32>(JOB + (<usize>i << 2));
}

@inline function addr(i: i32): usize {
  return load<u32>(JOB + (<usize>i << 2));
}

// Columns [c·kh·kw, outH·outW] of image `img` (byte address) into `cols`.
@inline function unfoldImage(f: i32, img: usize, cols: usize): void {
  const c = slot(f + 1), kh = slot(f + 4), kw = slot(f + 5);
  im2col(
    img, cols, 1, c, slot(f + 2), slot(f + 3), kh, kw, slot(f + 6), slot(f + 7), slot(f + 8), slot(f + 9), slot(f + 10),
    slot(f + 11), slot(f + 12), slot(f + 13), 0, c * kh * kw,
  );
}

// Plane sizes of one image: input c·h·w, output outC·outH·outW, and the group sizes.
@inline function inPlane(f: i32): i32 {
  return slot(f + 1) * slot(f + 2) * slot(f + 3);
}
@inline function positionsOf(f: i32): i32 {
  return slot(f + 12) * slot(f + 13);
}
@inline function outGroup(f: i32): i32 {
  return slot(f + 14) / slot(f + 15);
}
@inline function depthGroup(f: i32): i32 {
  return (slot(f + 1) / slot(f + 15)) * slot(f + 4) * slot(f + 5);
}

/** One image at byte address xb into yb ([outC, outH·outW]), output channels [o0, o1): yb = W·cols(xb) (+ bias). */
function convImage(
  f: i32, xb: usize, weight: usize, bias: usize, hasBias: bool, yb: usize, work: usize, o0: i32, o1: i32, scratch: usize,
): void {
  const positions = positionsOf(f);
  const og = outGroup(f);
  const kg = depthGroup(f);
  const groups = slot(f + 15);
  unfoldImage(f, xb, work);
  for (let g = 0; g < groups; g++) {
    // The rows of this group inside [o0, o1).
    const lo = max(o0, g * og) - g * og, hi = min(o1, (g + 1) * og) - g * og;
    if (lo >= hi) continue;
    gemmBlock(
      weight + (<usize>(g * og * kg) << 2), work + (<usize>(g * kg * positions) << 2), yb + (<usize>(g * og * positions) << 2),
      og, positions, kg, false, false, lo, hi, 0, positions, scratch,
    );
  }
  if (!hasBias) return;
  for (let o = o0; o < o1; o++) {
    const v = load<f32>(bias + (<usize>o << 2));
    const bv = f32x4.splat(v);
    const row = yb + (<usize>(o * positions) << 2);
    let p = 0;
    for (; p + 4 <= positions; p += 4) {
      const q = row + (<usize>p << 2);
      v128.store(q, f32x4.add(v128.load(q), bv));
    }
    for (; p < positions; p++) {
      const q = row + (<usize>p << 2);
      store<f32>(q, load<f32>(q) + v);
    }
  }
}

/** Images [b0, b1), output channels [o0, o1): y[b] = W·cols(x[b]) (+ bias per output channel). */
export function conv2dImages(
  f: i32, x: usize, weight: usize, bias: usize, hasBias: bool, y: usize, work: usize, b0: i32, b1: i32, o0: i32, o1: i32,
  scratch: usize,
): void {
  const positions = positionsOf(f);
  const outC = slot(f + 14), plane = inPlane(f);
  for (let b = b0; b < b1; b++) {
    convImage(f, x + (<usize>(b * plane) << 2), weight, bias, hasBias, y + (<usize>(b * outC * positions) << 2), work, o0, o1, scratch);
  }
}

/**
 * Images [b0, b1) of the conv2dMaxPool job: each image's convolution into `yWork` (after
 * the column matrix in the thread's work area), then its outC planes max-pooled into
 * `values` and `indices` (pooling geometry in the 10 slots from `pf`).
 */
function convPoolImages(
  f: i32, pf: i32, x: usize, weight: usize, bias: usize, hasBias: bool, values: usize, indices: usize, work: usize, yWork: usize,
  b0: i32, b1: i32, scratch: usize,
): void {
  const outC = slot(f + 14), plane = inPlane(f);
  const pooled = outC * slot(pf) * slot(pf + 1);
  for (let b = b0; b < b1; b++) {
    convImage(f, x + (<usize>(b * plane) << 2), weight, bias, hasBias, yWork, work, 0, outC, scratch);
    const at = <usize>(b * pooled) << 2;
    maxPool2d(
      yWork, values + at, indices + at, slot(f + 12), slot(f + 13), slot(pf), slot(pf + 1), slot(pf + 2), slot(pf + 3),
      slot(pf + 4), slot(pf + 5), slot(pf + 6), slot(pf + 7), slot(pf + 8), slot(pf + 9), 0, outC,
    );
  }
}

/**
 * Image b's output gradient [outC, outH·outW]: in `g` itself when `idx` is 0, else `g` is
 * a max-pooled gradient ([outC, pooledPlane] per image) with its argmax `idx`, scattered
 * into `into` as maxPool2dGrad does (zeros, then each entry added at its index, in order).
 */
function gradImage(f: i32, g: usize, b: i32, idx: usize, pooledPlane: i32, into: usize): usize {
  const outC = slot(f + 14), positions = positionsOf(f);
  if (idx == 0) return g + (<usize>(b * outC * positions) << 2);
  memory.fill(into, 0, <usize>(outC * positions) << 2);
  for (let o = 0; o < outC; o++) {
    const plane = into + (<usize>(o * positions) << 2);
    const src = <usize>((b * outC + o) * pooledPlane) << 2;
    for (let q = 0; q < pooledPlane; q++) {
      const at = plane + (<usize>load<i32>(idx + src + (<usize>q << 2)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(g + src + (<usize>q << 2)));
    }
  }
  return into;
}

/** Images [b0, b1): dx[b] = col2im(Wᵀ·g[b]) (g pooled when idx ≠ 0, see gradImage). */
export function conv2dGradInputImages(
  f: i32, g: usize, weight: usize, dx: usize, work: usize, b0: i32, b1: i32, scratch: usize,
  idx: usize = 0, pooledPlane: i32 = 0, gWork: usize = 0,
): void {
  const positions = positionsOf(f);
  const og = outGroup(f);
  const kg = depthGroup(f);
  const groups = slot(f + 15), plane = inPlane(f);
  for (let b = b0; b < b1; b++) {
    const gb = gradImage(f, g, b, idx, pooledPlane, gWork);
    for (let t = 0; t < groups; t++) {
      // weight group t is [og, kg]: read transposed as [kg, og].
      gemmBlock(
        weight + (<usize>(t * og * kg) << 2), gb + (<usize>(t * og * positions) << 2), work + (<usize>(t * kg * positions) << 2),
        kg, positions, og, true, false, 0, kg, 0, positions, scratch,
      );
    }
    col2im(
      work, dx + (<usize>(b * plane) << 2), 1, slot(f + 1), slot(f + 2), slot(f + 3), slot(f + 4), slot(f + 5), slot(f + 6),
      slot(f + 7), slot(f + 8), slot(f + 9), slot(f + 10), slot(f + 11), slot(f + 12), slot(f + 13), 0, slot(f + 1),
    );
  }
}

/**
 * Images [b0, b1) into one partial: its first outC·kg floats receive
 * Σ_b g[b]·cols(x[b])ᵀ per group, the next outC the sums of g[b]'s rows.
 */
export function conv2dGradWeightImages(
  f: i32, x: usize, g: usize, partial: usize, work: usize, b0: i32, b1: i32, scratch: usize,
  idx: usize = 0, pooledPlane: i32 = 0, gWork: usize = 0,
): void {
  const positions = positionsOf(f);
  const og = outGroup(f);
  const kg = depthGroup(f);
  const outC = slot(f + 14), groups = slot(f + 15), plane = inPlane(f);
  const biasPart = partial + (<usize>(outC * kg) << 2);
  memory.fill(partial, 0, <usize>(outC * kg + outC) << 2);
  for (let b = b0; b < b1; b++) {
    unfoldImage(f, x + (<usize>(b * plane) << 2), work);
    const gb = gradImage(f, g, b, idx, pooledPlane, gWork);
    for (let t = 0; t < groups; t++) {
      // cols of group t are [kg, positions]: read transposed as [positions, kg].
      gemmBlock(
        gb + (<usize>(t * og * positions) << 2), work + (<usize>(t * kg * positions) << 2), partial + (<usize>(t * og * kg) << 2),
        og, kg, positions, false, true, 0, og, 0, kg, scratch, true,
      );
    }
    for (let o = 0; o < outC; o++) {
      const row = gb + (<usize>(o * positions) << 2);
      let acc = f32x4.splat(0);
      let p = 0;
      for (; p + 4 <= positions; p += 4) acc = f32x4.add(acc, v128.load(row + (<usize>p << 2)));
      let sum = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
      for (; p < positions; p++) sum += <f64>load<f32>(row + (<usize>p << 2));
      const q = biasPart + (<usize>o << 2);
      store<f32>(q, <f32>(<f64>load<f32>(q) + sum));
    }
  }
}

// Start of share `t` of `total` images cut into `parts` shares.
@inline function share(total: i32, t: i32, parts: i32): i32 {
  const per = (total + parts - 1) / parts;
  return min(total, t * per);
}

/** Runs part `part` of `parts` of a fused convolution job of kind `kind` on thread `thread`; false for another kind. */
export function convJob(kind: i32, part: i32, parts: i32, thread: i32, scratch: usize): bool {
  if (kind == K_CONV2D) {
    const work = addr(CONV2D_WORK) + (<usize>(thread * slot(CONV2D_COLS_PER_THREAD)) << 2);
    const n = slot(CONV2D_N);
    const outC = slot(CONV2D_N + 14);
    // Few images: every part unfolds each image and computes a block of output channels.
    const byChannels = slot(CONV2D_BY_CHANNELS) != 0;
    const b0 = byChannels ? 0 : share(n, part, parts), b1 = byChannels ? n : share(n, part + 1, parts);
    const o0 = byChannels ? share(outC, part, parts) : 0, o1 = byChannels ? share(outC, part + 1, parts) : outC;
    conv2dImages(
      CONV2D_N, addr(CONV2D_X), addr(CONV2D_WEIGHT), addr(CONV2D_BIAS), slot(CONV2D_HAS_BIAS) != 0, addr(CONV2D_Y), work,
      b0, b1, o0, o1, scratch,
    );
    return true;
  }
  if (kind == K_CONV2D_GRAD_INPUT) {
    const work = addr(CONV2D_GRAD_INPUT_WORK) + (<usize>(thread * slot(CONV2D_GRAD_INPUT_COLS_PER_THREAD)) << 2);
    const n = slot(CONV2D_GRAD_INPUT_N);
    conv2dGradInputImages(
      CONV2D_GRAD_INPUT_N, addr(CONV2D_GRAD_INPUT_G), addr(CONV2D_GRAD_INPUT_WEIGHT), addr(CONV2D_GRAD_INPUT_DX), work,
      share(n, part, parts), share(n, part + 1, parts), scratch,
    );
    return true;
  }
  if (kind == K_CONV2D_GRAD_WEIGHT) {
    const work = addr(CONV2D_GRAD_WEIGHT_WORK) + (<usize>(thread * slot(CONV2D_GRAD_WEIGHT_COLS_PER_THREAD)) << 2);
    const n = slot(CONV2D_GRAD_WEIGHT_N);
    const outC = slot(CONV2D_GRAD_WEIGHT_N + 14);
    const size = outC * depthGroup(CONV2D_GRAD_WEIGHT_N) + outC;
    const partials = addr(CONV2D_GRAD_WEIGHT_PARTIALS);
    const partial = partials + (<usize>(part * size) << 2);
    // Run as fewer parts than the caller laid out (the pool was passed over): zero the rest.
    const declared = slot(CONV2D_GRAD_WEIGHT_PART_COUNT);
    if (part == 0 && parts < declared) memory.fill(partials + (<usize>(parts * size) << 2), 0, <usize>((declared - parts) * size) << 2);
    conv2dGradWeightImages(
      CONV2D_GRAD_WEIGHT_N, addr(CONV2D_GRAD_WEIGHT_X), addr(CONV2D_GRAD_WEIGHT_G), partial, work,
      share(n, part, parts), share(n, part + 1, parts), scratch,
    );
    return true;
  }
  if (kind == K_CONV2D_MAX_POOL) {
    // Each thread's work area: one image's column matrix, then one image's convolution output.
    const per = slot(CONV2D_MAX_POOL_COLS_PER_THREAD);
    const work = addr(CONV2D_MAX_POOL_WORK) + (<usize>(thread * per) << 2);
    const f = CONV2D_MAX_POOL_N;
    const cols = (slot(f + 1) * slot(f + 4) * slot(f + 5) * positionsOf(f) + 15) & ~15;
    const n = slot(f);
    convPoolImages(
      f, CONV2D_MAX_POOL_POOL_H, addr(CONV2D_MAX_POOL_X), addr(CONV2D_MAX_POOL_WEIGHT), addr(CONV2D_MAX_POOL_BIAS),
      slot(CONV2D_MAX_POOL_HAS_BIAS) != 0, addr(CONV2D_MAX_POOL_VALUES), addr(CONV2D_MAX_POOL_INDICES), work,
      work + (<usize>cols << 2), share(n, part, parts), share(n, part + 1, parts), scratch,
    );
    return true;
  }
  if (kind == K_CONV2D_MAX_POOL_GRAD_INPUT) {
    // Per thread: a column matrix, then one image's (unpooled) output gradient.
    const f = CONV2D_MAX_POOL_GRAD_INPUT_N;
    const work = addr(CONV2D_MAX_POOL_GRAD_INPUT_WORK) + (<usize>(thread * slot(CONV2D_MAX_POOL_GRAD_INPUT_COLS_PER_THREAD)) << 2);
    const cols = (slot(f + 1) * slot(f + 4) * slot(f + 5) * positionsOf(f) + 15) & ~15;
    const n = slot(f);
    conv2dGradInputImages(
      f, addr(CONV2D_MAX_POOL_GRAD_INPUT_G), addr(CONV2D_MAX_POOL_GRAD_INPUT_WEIGHT), addr(CONV2D_MAX_POOL_GRAD_INPUT_DX), work,
      share(n, part, parts), share(n, part + 1, parts), scratch, addr(CONV2D_MAX_POOL_GRAD_INPUT_INDICES),
      slot(CONV2D_MAX_POOL_GRAD_INPUT_POOLED_PLANE), work + (<usize>cols << 2),
    );
    return true;
  }
  if (kind == K_CONV2D_MAX_POOL_GRAD_WEIGHT) {
    const f = CONV2D_MAX_POOL_GRAD_WEIGHT_N;
    const work = addr(CONV2D_MAX_POOL_GRAD_WEIGHT_WORK) + (<usize>(thread * slot(CONV2D_MAX_POOL_GRAD_WEIGHT_COLS_PER_THREAD)) << 2);
    const cols = (slot(f + 1) * slot(f + 4) * slot(f + 5) * positionsOf(f) + 15) & ~15;
    const n = slot(f);
    const outC = slot(f + 14);
    const size = outC * depthGroup(f) + outC;
    const partials = addr(CONV2D_MAX_POOL_GRAD_WEIGHT_PARTIALS);
    const declared = slot(CONV2D_MAX_POOL_GRAD_WEIGHT_PART_COUNT);
    if (part == 0 && parts < declared) memory.fill(partials + (<usize>(parts * size) << 2), 0, <usize>((declared - parts) * size) << 2);
    conv2dGradWeightImages(
      f, addr(CONV2D_MAX_POOL_GRAD_WEIGHT_X), addr(CONV2D_MAX_POOL_GRAD_WEIGHT_G), partials + (<usize>(part * size) << 2), work,
      share(n, part, parts), share(n, part + 1, parts), scratch, addr(CONV2D_MAX_POOL_GRAD_WEIGHT_INDICES),
      slot(CONV2D_MAX_POOL_GRAD_WEIGHT_POOLED_PLANE), work + (<usize>cols << 2),
    );
    return true;
  }
  return false;
}
