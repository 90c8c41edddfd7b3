// Entry point of the kernel module. Besides the kernels themselves it exports
// `runJob`, which the threads of the pool call for each part of a job they
// claim: it reads the job descriptor the main thread wrote at JOB and runs
// part `part` of `parts`, using the scratch area of thread `thread`.
import { gemmBlock, gemmScratchBytes, gemv, MR, NR } from './gemm';
import { activationGrad, binary, unary } from './elementwise';
import { biasActivation, softmaxCrossEntropyGradRows, softmaxCrossEntropyRows } from './fused';
import { accumulate, adagrad, adam, rmsprop, sgd } from './optim';
import { reduce, softmaxGradRows, softmaxRows } from './reduce';

export { gemmScratchBytes };

/** Byte address of the job descriptor (see src/backend/wasm/layout.ts). */
const JOB: usize = 1024;
/** Slots (i32) holding the scratch base address and per-thread stride. */
const SLOT_SCRATCH: i32 = 62;
const SLOT_STRIDE: i32 = 63;

export const K_GEMM: i32 = 1;
export const K_UNARY: i32 = 2;
export const K_BINARY: i32 = 3;
export const K_AGRAD: i32 = 4;
export const K_REDUCE: i32 = 5;
export const K_SOFTMAX: i32 = 6;
export const K_SOFTGRAD: i32 = 7;
export const K_BIASACT: i32 = 8;
export const K_SCE: i32 = 9;
export const K_SCEGRAD: i32 = 10;
// Optimizer updates: in place, never split (runJob runs the whole job for any part).
export const K_SGD: i32 = 11;
export const K_ADAM: i32 = 12;
export const K_RMSPROP: i32 = 13;
export const K_ADAGRAD: i32 = 14;
export const K_ACCUMULATE: i32 = 15;

@inline function arg(i: i32): i32 {
  return load<i32>(JOB + (<usize>i << 2));
}

@inline function ptr(i: i32): usize {
  return load<u32>(JOB + (<usize>i << 2));
}

@inline function argf(i: i32): f32 {
  return load<f32>(JOB + (<usize>i << 2));
}

// Start of share `t` of `total` items cut into `parts` shares that are multiples of `align`.
@inline function cut(total: i32, t: i32, parts: i32, align: i32): i32 {
  const units = (total + align - 1) / align;
  const per = (units + parts - 1) / parts;
  return min(total, t * per * align);
}

function gemmJob(part: i32, parts: i32, scratch: usize): void {
  const a = ptr(1), b = ptr(2), c = ptr(3);
  const m = arg(4), n = arg(5), k = arg(6);
  const tA = arg(7) != 0, tB = arg(8) != 0;
  const batch = arg(9), sA = arg(10), sB = arg(11);
  let b0 = 0, b1 = batch, i0 = 0, i1 = m, j0 = 0, j1 = n;
  if (parts > 1) {
    if (batch >= parts) {
      b0 = cut(batch, part, parts, 1);
      b1 = cut(batch, part + 1, parts, 1);
    } else if (m >= n) {
      i0 = cut(m, part, parts, MR);
      i1 = cut(m, part + 1, parts, MR);
    } else {
      j0 = cut(n, part, parts, NR);
      j1 = cut(n, part + 1, parts, NR);
    }
  }
  // Vector shapes skip packing (k == 0 is left to gemmBlock, which zero-fills).
  const vector = (m == 1 || n == 1) && k > 0;
  for (let t = b0; t < b1; t++) {
    if (vector) {
      gemv(
        a + (<usize>(t * sA) << 2), b + (<usize>(t * sB) << 2), c + (<usize>(t * m * n) << 2),
        m, n, k, tA, tB, i0, i1, j0, j1,
      );
      continue;
    }
    gemmBlock(
      a + (<usize>(t * sA) << 2), b + (<usize>(t * sB) << 2), c + (<usize>(t * m * n) << 2),
      m, n, k, tA, tB, i0, i1, j0, j1, scratch,
    );
  }
}

/** Runs part `part` of the `parts`-way job described at JOB, with thread `thread`'s scratch. */
export function runJob(part: i32, parts: i32, thread: i32): void {
  const scratch = ptr(SLOT_SCRATCH) + <usize>thread * ptr(SLOT_STRIDE);
  switch (arg(0)) {
    case K_GEMM:
      gemmJob(part, parts, scratch);
      break;
    case K_UNARY: {
      const n = arg(4);
      unary(arg(1), ptr(2), ptr(3), cut(n, part, parts, 16), cut(n, part + 1, parts, 16), argf(5), argf(6));
      break;
    }
    case K_BINARY: {
      // op, a, ra, sa, b, rb, sb, y, rows, cols: split rows, or columns when there is one row.
      const rows = arg(9), cols = arg(10);
      let r0 = 0, r1 = rows, c0 = 0, c1 = cols;
      if (rows >= parts * 4 || cols < 64) {
        r0 = cut(rows, part, parts, 1);
        r1 = cut(rows, part + 1, parts, 1);
      } else {
        c0 = cut(cols, part, parts, 16);
        c1 = cut(cols, part + 1, parts, 16);
      }
      binary(arg(1), ptr(2), arg(3), arg(4), ptr(5), arg(6), arg(7), ptr(8), cols, r0, r1, c0, c1);
      break;
    }
    case K_AGRAD: {
      const n = arg(6);
      activationGrad(arg(1), ptr(2), ptr(3), ptr(4), ptr(5), cut(n, part, parts, 16), cut(n, part + 1, parts, 16), argf(7));
      break;
    }
    case K_REDUCE: {
      // op, x, y, outer, r, inner: split outer, or the inner axis when outer is small.
      const outer = arg(4), r = arg(5), inner = arg(6);
      let o0 = 0, o1 = outer, j0 = 0, j1 = inner;
      if (outer >= parts || inner == 1) {
        o0 = cut(outer, part, parts, 1);
        o1 = cut(outer, part + 1, parts, 1);
      } else {
        j0 = cut(inner, part, parts, 16);
        j1 = cut(inner, part + 1, parts, 16);
      }
      reduce(arg(1), ptr(2), ptr(3), r, inner, o0, o1, j0, j1, scratch);
      break;
    }
    case K_SOFTMAX: {
      const outer = arg(3);
      softmaxRows(ptr(1), ptr(2), arg(4), arg(5) != 0, cut(outer, part, parts, 1), cut(outer, part + 1, parts, 1));
      break;
    }
    case K_SOFTGRAD: {
      const outer = arg(4);
      softmaxGradRows(ptr(1), ptr(2), ptr(3), arg(5), arg(6) != 0, cut(outer, part, parts, 1), cut(outer, part + 1, parts, 1));
      break;
    }
    case K_BIASACT: {
      // op, x, bias, y, m, n, a: split rows.
      const m = arg(5);
      biasActivation(arg(1), ptr(2), ptr(3), ptr(4), arg(6), cut(m, part, parts, 1), cut(m, part + 1, parts, 1), argf(7));
      break;
    }
    case K_SCE: {
      // x, labels, loss, probs, rows, c: split rows.
      const rows = arg(5);
      softmaxCrossEntropyRows(ptr(1), ptr(2), ptr(3), ptr(4), arg(6), cut(rows, part, parts, 1), cut(rows, part + 1, parts, 1));
      break;
    }
    case K_SCEGRAD: {
      // probs, g, labels, out, rows, c: split rows.
      const rows = arg(5);
      softmaxCrossEntropyGradRows(ptr(1), ptr(2), ptr(3), ptr(4), arg(6), cut(rows, part, parts, 1), cut(rows, part + 1, parts, 1));
      break;
    }
    case K_SGD:
      // w, g, buf, n, flags, lr, momentum, 1 − dampening, weightDecay.
      sgd(ptr(1), ptr(2), ptr(3), arg(4), arg(5), argf(6), argf(7), argf(8), argf(9));
      break;
    case K_ADAM:
      // w, g, m, v, vmax, n, stepSize, β1, 1 − β1, β2, 1 − β2, eps, 1 / √(1 − β2^t), l2, shrink.
      adam(
        ptr(1), ptr(2), ptr(3), ptr(4), ptr(5), arg(6),
        argf(7), argf(8), argf(9), argf(10), argf(11), argf(12), argf(13), argf(14), argf(15),
      );
      break;
    case K_RMSPROP:
      // w, g, squareAvg, gradAvg, buf, n, lr, α, 1 − α, eps, weightDecay, momentum.
      rmsprop(ptr(1), ptr(2), ptr(3), ptr(4), ptr(5), arg(6), argf(7), argf(8), argf(9), argf(10), argf(11), argf(12));
      break;
    case K_ADAGRAD:
      // w, g, sum, n, decayed lr, weightDecay, eps.
      adagrad(ptr(1), ptr(2), ptr(3), arg(4), argf(5), argf(6), argf(7));
      break;
    case K_ACCUMULATE:
      // acc, x, n.
      accumulate(ptr(1), ptr(2), arg(3));
      break;
  }
}

/** First byte after the module's static data: the arena may start above it. */
export function heapBase(): usize {
  return __heap_base;
}
