// Entry point of the kernel module. Besides the kernels themselves it exports
// `runJob`, which the threads of the pool call for each part of a job they
// claim: it reads the job descriptor the main thread wrote at JOB and runs
// part `part` of `parts`, using the scratch area of thread `thread`. Job
// kinds and descriptor slots are named in opcodes.ts, generated from
// scripts/kernel-table.ts (which also gives the TypeScript side its layouts).
import { gemmBlock, gemmScratchBytes, gemv, MR, NR } from './gemm';
import { activationGrad, binary, unary } from './elementwise';
import { biasActivation, softmaxCrossEntropyGradRows, softmaxCrossEntropyRows } from './fused';
import { col2im, im2col } from './conv';
import { convJob } from './convfused';
import { adaptiveAvgPool2d, adaptiveAvgPool2dGrad, avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad } from './pool';
import { accumulate, adagrad, adam, rmsprop, sgd } from './optim';
import { reduce, softmaxGradRows, softmaxRows } from './reduce';
// attention
import { maskedSoftmaxGradRows, maskedSoftmaxRows } from './attention';
// layer norm
import { layerNormGrad, layerNormRows } from './norm';
// Gaussian noise (differential privacy)
import { zigguratFast } from './noise';
// dropout
import { dropout } from './dropout';
// fused causal attention
import { causalAttentionJob } from './causal-attention';
import {
  ACCUMULATE_ACC, ACCUMULATE_N, ACCUMULATE_X,
  ACTIVATION_GRAD_A, ACTIVATION_GRAD_G, ACTIVATION_GRAD_N, ACTIVATION_GRAD_OP, ACTIVATION_GRAD_OUT, ACTIVATION_GRAD_X, ACTIVATION_GRAD_Y,
  ADAPTIVE_AVG_POOL2D_IN_H, ADAPTIVE_AVG_POOL2D_IN_W, ADAPTIVE_AVG_POOL2D_OUT_H, ADAPTIVE_AVG_POOL2D_OUT_W,
  ADAPTIVE_AVG_POOL2D_PLANES, ADAPTIVE_AVG_POOL2D_X, ADAPTIVE_AVG_POOL2D_Y,
  ADAPTIVE_AVG_POOL2D_GRAD_G, ADAPTIVE_AVG_POOL2D_GRAD_IN_H, ADAPTIVE_AVG_POOL2D_GRAD_IN_W, ADAPTIVE_AVG_POOL2D_GRAD_OUT,
  ADAPTIVE_AVG_POOL2D_GRAD_OUT_H, ADAPTIVE_AVG_POOL2D_GRAD_OUT_W, ADAPTIVE_AVG_POOL2D_GRAD_PLANES,
  ADAGRAD_EPS, ADAGRAD_G, ADAGRAD_LR, ADAGRAD_N, ADAGRAD_SUM, ADAGRAD_W, ADAGRAD_WEIGHT_DECAY,
  ADAM_BETA1, ADAM_BETA2, ADAM_C1, ADAM_C2, ADAM_EPS, ADAM_G, ADAM_INV_BC2, ADAM_L2, ADAM_M, ADAM_N, ADAM_SHRINK,
  ADAM_STEP_SIZE, ADAM_V, ADAM_VMAX, ADAM_W,
  BIAS_ACTIVATION_A, BIAS_ACTIVATION_BIAS, BIAS_ACTIVATION_M, BIAS_ACTIVATION_N, BIAS_ACTIVATION_OP, BIAS_ACTIVATION_X,
  BIAS_ACTIVATION_Y,
  AVG_POOL2D_COUNT_INCLUDE_PAD, AVG_POOL2D_DIVISOR, AVG_POOL2D_IN_H, AVG_POOL2D_IN_W,
  AVG_POOL2D_K_H, AVG_POOL2D_K_W, AVG_POOL2D_OUT_H, AVG_POOL2D_OUT_W, AVG_POOL2D_P_H, AVG_POOL2D_P_W, AVG_POOL2D_PLANES,
  AVG_POOL2D_S_H, AVG_POOL2D_S_W, AVG_POOL2D_X, AVG_POOL2D_Y,
  AVG_POOL2D_GRAD_COUNT_INCLUDE_PAD, AVG_POOL2D_GRAD_DIVISOR, AVG_POOL2D_GRAD_G, AVG_POOL2D_GRAD_IN_H, AVG_POOL2D_GRAD_IN_W,
  AVG_POOL2D_GRAD_K_H, AVG_POOL2D_GRAD_K_W, AVG_POOL2D_GRAD_OUT, AVG_POOL2D_GRAD_OUT_H, AVG_POOL2D_GRAD_OUT_W,
  AVG_POOL2D_GRAD_P_H, AVG_POOL2D_GRAD_P_W, AVG_POOL2D_GRAD_PLANES, AVG_POOL2D_GRAD_S_H, AVG_POOL2D_GRAD_S_W,
  BINARY_A, BINARY_B, BINARY_COLS, BINARY_OP, BINARY_RA, BINARY_RB, BINARY_ROWS, BINARY_SA, BINARY_SB, BINARY_Y,
  GEMM_A, GEMM_B, GEMM_BATCH, GEMM_C, GEMM_K, GEMM_M, GEMM_N, GEMM_STRIDE_A, GEMM_STRIDE_B, GEMM_TRANS_A, GEMM_TRANS_B,
  COL2IM_COLS, COL2IM_X, COL2IM_N, COL2IM_C, COL2IM_H, COL2IM_W, COL2IM_KH, COL2IM_KW, COL2IM_STRIDE_H,
  COL2IM_STRIDE_W, COL2IM_PAD_H, COL2IM_PAD_W, COL2IM_DILATION_H, COL2IM_DILATION_W, COL2IM_OUT_H, COL2IM_OUT_W,
  IM2COL_COLS, IM2COL_X, IM2COL_N, IM2COL_C, IM2COL_H, IM2COL_W, IM2COL_KH, IM2COL_KW, IM2COL_STRIDE_H,
  IM2COL_STRIDE_W, IM2COL_PAD_H, IM2COL_PAD_W, IM2COL_DILATION_H, IM2COL_DILATION_W, IM2COL_OUT_H, IM2COL_OUT_W,
  JOB,
  K_ADAPTIVE_AVG_POOL2D, K_ADAPTIVE_AVG_POOL2D_GRAD, K_AVG_POOL2D, K_AVG_POOL2D_GRAD, K_COL2IM, K_IM2COL, K_MAX_POOL2D,
  K_MAX_POOL2D_GRAD,
  MAX_POOL2D_D_H, MAX_POOL2D_D_W, MAX_POOL2D_IN_H, MAX_POOL2D_IN_W, MAX_POOL2D_INDICES, MAX_POOL2D_K_H, MAX_POOL2D_K_W,
  MAX_POOL2D_OUT_H, MAX_POOL2D_OUT_W, MAX_POOL2D_P_H, MAX_POOL2D_P_W, MAX_POOL2D_PLANES, MAX_POOL2D_S_H, MAX_POOL2D_S_W,
  MAX_POOL2D_VALUES, MAX_POOL2D_X,
  MAX_POOL2D_GRAD_G, MAX_POOL2D_GRAD_IN_H, MAX_POOL2D_GRAD_IN_W, MAX_POOL2D_GRAD_INDICES, MAX_POOL2D_GRAD_OUT,
  MAX_POOL2D_GRAD_OUT_H, MAX_POOL2D_GRAD_OUT_W, MAX_POOL2D_GRAD_PLANES,
  K_ACCUMULATE, K_ACTIVATION_GRAD, K_ADAGRAD, K_ADAM, K_BIAS_ACTIVATION, K_BINARY, K_GEMM, K_REDUCE, K_RMSPROP, K_SGD,
  K_SOFTMAX, K_SOFTMAX_CROSS_ENTROPY, K_SOFTMAX_CROSS_ENTROPY_GRAD, K_SOFTMAX_GRAD, K_UNARY,
  REDUCE_INNER, REDUCE_OP, REDUCE_OUTER, REDUCE_R, REDUCE_X, REDUCE_Y,
  RMSPROP_ALPHA, RMSPROP_BUF, RMSPROP_C, RMSPROP_EPS, RMSPROP_G, RMSPROP_GRAD_AVG, RMSPROP_LR, RMSPROP_MOMENTUM, RMSPROP_N,
  RMSPROP_SQ, RMSPROP_W, RMSPROP_WEIGHT_DECAY,
  SGD_DAMP1, SGD_FLAGS, SGD_G, SGD_LR, SGD_MOMENTUM, SGD_N, SGD_BUF, SGD_W, SGD_WEIGHT_DECAY,
  SLOT_SCRATCH, SLOT_STRIDE,
  SOFTMAX_CROSS_ENTROPY_C, SOFTMAX_CROSS_ENTROPY_LABELS, SOFTMAX_CROSS_ENTROPY_LOSS, SOFTMAX_CROSS_ENTROPY_PROBS,
  SOFTMAX_CROSS_ENTROPY_ROWS, SOFTMAX_CROSS_ENTROPY_X,
  SOFTMAX_CROSS_ENTROPY_GRAD_C, SOFTMAX_CROSS_ENTROPY_GRAD_G, SOFTMAX_CROSS_ENTROPY_GRAD_LABELS, SOFTMAX_CROSS_ENTROPY_GRAD_OUT,
  SOFTMAX_CROSS_ENTROPY_GRAD_PROBS, SOFTMAX_CROSS_ENTROPY_GRAD_ROWS,
  SOFTMAX_GRAD_G, SOFTMAX_GRAD_LOG, SOFTMAX_GRAD_N, SOFTMAX_GRAD_OUT, SOFTMAX_GRAD_OUTER, SOFTMAX_GRAD_Y,
  SOFTMAX_LOG, SOFTMAX_N, SOFTMAX_OUTER, SOFTMAX_X, SOFTMAX_Y,
  UNARY_A, UNARY_B, UNARY_N, UNARY_OP, UNARY_X, UNARY_Y,
  // attention
  K_MASKED_SOFTMAX, K_MASKED_SOFTMAX_GRAD,
  MASKED_SOFTMAX_BATCH, MASKED_SOFTMAX_CAUSAL, MASKED_SOFTMAX_COLS, MASKED_SOFTMAX_HAS_MASK, MASKED_SOFTMAX_MASK,
  MASKED_SOFTMAX_MASK_BATCH, MASKED_SOFTMAX_MASK_REPEAT, MASKED_SOFTMAX_ROWS, MASKED_SOFTMAX_SCALE, MASKED_SOFTMAX_X,
  MASKED_SOFTMAX_Y,
  MASKED_SOFTMAX_GRAD_BATCH, MASKED_SOFTMAX_GRAD_CAUSAL, MASKED_SOFTMAX_GRAD_COLS, MASKED_SOFTMAX_GRAD_G,
  MASKED_SOFTMAX_GRAD_OUT, MASKED_SOFTMAX_GRAD_ROWS, MASKED_SOFTMAX_GRAD_SCALE, MASKED_SOFTMAX_GRAD_Y,
  // layer norm
  K_LAYER_NORM, K_LAYER_NORM_GRAD,
  LAYER_NORM_BIAS, LAYER_NORM_EPS, LAYER_NORM_MEAN, LAYER_NORM_N, LAYER_NORM_ROWS, LAYER_NORM_RSTD, LAYER_NORM_WEIGHT,
  LAYER_NORM_X, LAYER_NORM_Y,
  LAYER_NORM_GRAD_DBIAS, LAYER_NORM_GRAD_DWEIGHT, LAYER_NORM_GRAD_DX, LAYER_NORM_GRAD_G, LAYER_NORM_GRAD_MEAN,
  LAYER_NORM_GRAD_N, LAYER_NORM_GRAD_ROWS, LAYER_NORM_GRAD_RSTD, LAYER_NORM_GRAD_WEIGHT, LAYER_NORM_GRAD_X,
  // Gaussian noise (differential privacy)
  K_ZIGGURAT_FAST, ZIGGURAT_FAST_N, ZIGGURAT_FAST_OUT, ZIGGURAT_FAST_STD, ZIGGURAT_FAST_TABLE, ZIGGURAT_FAST_WORDS,
  // dropout
  K_DROPOUT, DROPOUT_KEY0, DROPOUT_KEY1, DROPOUT_N, DROPOUT_SCALE, DROPOUT_THRESHOLD, DROPOUT_X, DROPOUT_Y,
} from './opcodes';

export { gemmScratchBytes };

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
  const a = ptr(GEMM_A), b = ptr(GEMM_B), c = ptr(GEMM_C);
  const m = arg(GEMM_M), n = arg(GEMM_N), k = arg(GEMM_K);
  const tA = arg(GEMM_TRANS_A) != 0, tB = arg(GEMM_TRANS_B) != 0;
  const batch = arg(GEMM_BATCH), sA = arg(GEMM_STRIDE_A), sB = arg(GEMM_STRIDE_B);
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
  if (convJob(arg(0), part, parts, thread, scratch)) return;
  if (causalAttentionJob(arg(0), part, parts, thread)) return;
  switch (arg(0)) {
    case K_GEMM:
      gemmJob(part, parts, scratch);
      break;
    case K_UNARY: {
      const n = arg(UNARY_N);
      unary(
        arg(UNARY_OP), ptr(UNARY_X), ptr(UNARY_Y), cut(n, part, parts, 16), cut(n, part + 1, parts, 16),
        argf(UNARY_A), argf(UNARY_B),
      );
      break;
    }
    case K_BINARY: {
      // Split rows, or columns when there are few rows.
      const rows = arg(BINARY_ROWS), cols = arg(BINARY_COLS);
      let r0 = 0, r1 = rows, c0 = 0, c1 = cols;
      if (rows >= parts * 4 || cols < 64) {
        r0 = cut(rows, part, parts, 1);
        r1 = cut(rows, part + 1, parts, 1);
      } else {
        c0 = cut(cols, part, parts, 16);
        c1 = cut(cols, part + 1, parts, 16);
      }
      binary(
        arg(BINARY_OP), ptr(BINARY_A), arg(BINARY_RA), arg(BINARY_SA), ptr(BINARY_B), arg(BINARY_RB), arg(BINARY_SB),
        ptr(BINARY_Y), cols, r0, r1, c0, c1,
      );
      break;
    }
    case K_ACTIVATION_GRAD: {
      const n = arg(ACTIVATION_GRAD_N);
      activationGrad(
        arg(ACTIVATION_GRAD_OP), ptr(ACTIVATION_GRAD_X), ptr(ACTIVATION_GRAD_Y), ptr(ACTIVATION_GRAD_G), ptr(ACTIVATION_GRAD_OUT),
        cut(n, part, parts, 16), cut(n, part + 1, parts, 16), argf(ACTIVATION_GRAD_A),
      );
      break;
    }
    case K_REDUCE: {
      // Split outer, or the inner axis when outer is small.
      const outer = arg(REDUCE_OUTER), r = arg(REDUCE_R), inner = arg(REDUCE_INNER);
      let o0 = 0, o1 = outer, j0 = 0, j1 = inner;
      if (outer >= parts || inner == 1) {
        o0 = cut(outer, part, parts, 1);
        o1 = cut(outer, part + 1, parts, 1);
      } else {
        j0 = cut(inner, part, parts, 16);
        j1 = cut(inner, part + 1, parts, 16);
      }
      reduce(arg(REDUCE_OP), ptr(REDUCE_X), ptr(REDUCE_Y), r, inner, o0, o1, j0, j1, scratch);
      break;
    }
    case K_SOFTMAX: {
      const outer = arg(SOFTMAX_OUTER);
      softmaxRows(
        ptr(SOFTMAX_X), ptr(SOFTMAX_Y), arg(SOFTMAX_N), arg(SOFTMAX_LOG) != 0,
        cut(outer, part, parts, 1), cut(outer, part + 1, parts, 1),
      );
      break;
    }
    case K_SOFTMAX_GRAD: {
      const outer = arg(SOFTMAX_GRAD_OUTER);
      softmaxGradRows(
        ptr(SOFTMAX_GRAD_Y), ptr(SOFTMAX_GRAD_G), ptr(SOFTMAX_GRAD_OUT), arg(SOFTMAX_GRAD_N), arg(SOFTMAX_GRAD_LOG) != 0,
        cut(outer, part, parts, 1), cut(outer, part + 1, parts, 1),
      );
      break;
    }
    case K_BIAS_ACTIVATION: {
      // Split rows.
      const m = arg(BIAS_ACTIVATION_M);
      biasActivation(
        arg(BIAS_ACTIVATION_OP), ptr(BIAS_ACTIVATION_X), ptr(BIAS_ACTIVATION_BIAS), ptr(BIAS_ACTIVATION_Y),
        arg(BIAS_ACTIVATION_N), cut(m, part, parts, 1), cut(m, part + 1, parts, 1), argf(BIAS_ACTIVATION_A),
      );
      break;
    }
    case K_SOFTMAX_CROSS_ENTROPY: {
      // Split rows.
      const rows = arg(SOFTMAX_CROSS_ENTROPY_ROWS);
      softmaxCrossEntropyRows(
        ptr(SOFTMAX_CROSS_ENTROPY_X), ptr(SOFTMAX_CROSS_ENTROPY_LABELS), ptr(SOFTMAX_CROSS_ENTROPY_LOSS),
        ptr(SOFTMAX_CROSS_ENTROPY_PROBS), arg(SOFTMAX_CROSS_ENTROPY_C), cut(rows, part, parts, 1), cut(rows, part + 1, parts, 1),
      );
      break;
    }
    case K_SOFTMAX_CROSS_ENTROPY_GRAD: {
      // Split rows.
      const rows = arg(SOFTMAX_CROSS_ENTROPY_GRAD_ROWS);
      softmaxCrossEntropyGradRows(
        ptr(SOFTMAX_CROSS_ENTROPY_GRAD_PROBS), ptr(SOFTMAX_CROSS_ENTROPY_GRAD_G), ptr(SOFTMAX_CROSS_ENTROPY_GRAD_LABELS),
        ptr(SOFTMAX_CROSS_ENTROPY_GRAD_OUT), arg(SOFTMAX_CROSS_ENTROPY_GRAD_C), cut(rows, part, parts, 1),
        cut(rows, part + 1, parts, 1),
      );
      break;
    }
    case K_IM2COL: {
      // Split the rows (ci, i, j) of the column matrix.
      const units = arg(IM2COL_C) * arg(IM2COL_KH) * arg(IM2COL_KW);
      im2col(
        ptr(IM2COL_X), ptr(IM2COL_COLS), arg(IM2COL_N), arg(IM2COL_C), arg(IM2COL_H), arg(IM2COL_W), arg(IM2COL_KH),
        arg(IM2COL_KW), arg(IM2COL_STRIDE_H), arg(IM2COL_STRIDE_W), arg(IM2COL_PAD_H), arg(IM2COL_PAD_W),
        arg(IM2COL_DILATION_H), arg(IM2COL_DILATION_W), arg(IM2COL_OUT_H), arg(IM2COL_OUT_W),
        cut(units, part, parts, 1), cut(units, part + 1, parts, 1),
      );
      break;
    }
    case K_COL2IM: {
      // Split the planes (b, ci) of the image.
      const units = arg(COL2IM_N) * arg(COL2IM_C);
      col2im(
        ptr(COL2IM_COLS), ptr(COL2IM_X), arg(COL2IM_N), arg(COL2IM_C), arg(COL2IM_H), arg(COL2IM_W), arg(COL2IM_KH),
        arg(COL2IM_KW), arg(COL2IM_STRIDE_H), arg(COL2IM_STRIDE_W), arg(COL2IM_PAD_H), arg(COL2IM_PAD_W),
        arg(COL2IM_DILATION_H), arg(COL2IM_DILATION_W), arg(COL2IM_OUT_H), arg(COL2IM_OUT_W),
        cut(units, part, parts, 1), cut(units, part + 1, parts, 1),
      );
      break;
    }
    case K_MAX_POOL2D: {
      const planes = arg(MAX_POOL2D_PLANES);
      maxPool2d(
        ptr(MAX_POOL2D_X), ptr(MAX_POOL2D_VALUES), ptr(MAX_POOL2D_INDICES), arg(MAX_POOL2D_IN_H), arg(MAX_POOL2D_IN_W),
        arg(MAX_POOL2D_OUT_H), arg(MAX_POOL2D_OUT_W), arg(MAX_POOL2D_K_H), arg(MAX_POOL2D_K_W), arg(MAX_POOL2D_S_H),
        arg(MAX_POOL2D_S_W), arg(MAX_POOL2D_P_H), arg(MAX_POOL2D_P_W), arg(MAX_POOL2D_D_H), arg(MAX_POOL2D_D_W),
        cut(planes, part, parts, 1), cut(planes, part + 1, parts, 1),
      );
      break;
    }
    case K_MAX_POOL2D_GRAD: {
      const planes = arg(MAX_POOL2D_GRAD_PLANES);
      maxPool2dGrad(
        ptr(MAX_POOL2D_GRAD_G), ptr(MAX_POOL2D_GRAD_INDICES), ptr(MAX_POOL2D_GRAD_OUT), arg(MAX_POOL2D_GRAD_IN_H),
        arg(MAX_POOL2D_GRAD_IN_W), arg(MAX_POOL2D_GRAD_OUT_H), arg(MAX_POOL2D_GRAD_OUT_W),
        cut(planes, part, parts, 1), cut(planes, part + 1, parts, 1),
      );
      break;
    }
    case K_AVG_POOL2D: {
      const planes = arg(AVG_POOL2D_PLANES);
      avgPool2d(
        ptr(AVG_POOL2D_X), ptr(AVG_POOL2D_Y), arg(AVG_POOL2D_IN_H), arg(AVG_POOL2D_IN_W), arg(AVG_POOL2D_OUT_H),
        arg(AVG_POOL2D_OUT_W), arg(AVG_POOL2D_K_H), arg(AVG_POOL2D_K_W), arg(AVG_POOL2D_S_H), arg(AVG_POOL2D_S_W),
        arg(AVG_POOL2D_P_H), arg(AVG_POOL2D_P_W), arg(AVG_POOL2D_COUNT_INCLUDE_PAD) != 0, arg(AVG_POOL2D_DIVISOR),
        cut(planes, part, parts, 1), cut(planes, part + 1, parts, 1),
      );
      break;
    }
    case K_AVG_POOL2D_GRAD: {
      const planes = arg(AVG_POOL2D_GRAD_PLANES);
      avgPool2dGrad(
        ptr(AVG_POOL2D_GRAD_G), ptr(AVG_POOL2D_GRAD_OUT), arg(AVG_POOL2D_GRAD_IN_H), arg(AVG_POOL2D_GRAD_IN_W),
        arg(AVG_POOL2D_GRAD_OUT_H), arg(AVG_POOL2D_GRAD_OUT_W), arg(AVG_POOL2D_GRAD_K_H), arg(AVG_POOL2D_GRAD_K_W),
        arg(AVG_POOL2D_GRAD_S_H), arg(AVG_POOL2D_GRAD_S_W), arg(AVG_POOL2D_GRAD_P_H), arg(AVG_POOL2D_GRAD_P_W),
        arg(AVG_POOL2D_GRAD_COUNT_INCLUDE_PAD) != 0, arg(AVG_POOL2D_GRAD_DIVISOR),
        cut(planes, part, parts, 1), cut(planes, part + 1, parts, 1),
      );
      break;
    }
    case K_ADAPTIVE_AVG_POOL2D: {
      const planes = arg(ADAPTIVE_AVG_POOL2D_PLANES);
      adaptiveAvgPool2d(
        ptr(ADAPTIVE_AVG_POOL2D_X), ptr(ADAPTIVE_AVG_POOL2D_Y), arg(ADAPTIVE_AVG_POOL2D_IN_H), arg(ADAPTIVE_AVG_POOL2D_IN_W),
        arg(ADAPTIVE_AVG_POOL2D_OUT_H), arg(ADAPTIVE_AVG_POOL2D_OUT_W), cut(planes, part, parts, 1), cut(planes, part + 1, parts, 1),
      );
      break;
    }
    case K_ADAPTIVE_AVG_POOL2D_GRAD: {
      const planes = arg(ADAPTIVE_AVG_POOL2D_GRAD_PLANES);
      adaptiveAvgPool2dGrad(
        ptr(ADAPTIVE_AVG_POOL2D_GRAD_G), ptr(ADAPTIVE_AVG_POOL2D_GRAD_OUT), arg(ADAPTIVE_AVG_POOL2D_GRAD_IN_H),
        arg(ADAPTIVE_AVG_POOL2D_GRAD_IN_W), arg(ADAPTIVE_AVG_POOL2D_GRAD_OUT_H), arg(ADAPTIVE_AVG_POOL2D_GRAD_OUT_W),
        cut(planes, part, parts, 1), cut(planes, part + 1, parts, 1),
      );
      break;
    }
    // Optimizer updates: in place, never split (the whole job runs for any part).
    case K_SGD:
      sgd(
        ptr(SGD_W), ptr(SGD_G), ptr(SGD_BUF), arg(SGD_N), arg(SGD_FLAGS),
        argf(SGD_LR), argf(SGD_MOMENTUM), argf(SGD_DAMP1), argf(SGD_WEIGHT_DECAY),
      );
      break;
    case K_ADAM:
      adam(
        ptr(ADAM_W), ptr(ADAM_G), ptr(ADAM_M), ptr(ADAM_V), ptr(ADAM_VMAX), arg(ADAM_N),
        argf(ADAM_STEP_SIZE), argf(ADAM_BETA1), argf(ADAM_C1), argf(ADAM_BETA2), argf(ADAM_C2), argf(ADAM_EPS),
        argf(ADAM_INV_BC2), argf(ADAM_L2), argf(ADAM_SHRINK),
      );
      break;
    case K_RMSPROP:
      rmsprop(
        ptr(RMSPROP_W), ptr(RMSPROP_G), ptr(RMSPROP_SQ), ptr(RMSPROP_GRAD_AVG), ptr(RMSPROP_BUF), arg(RMSPROP_N),
        argf(RMSPROP_LR), argf(RMSPROP_ALPHA), argf(RMSPROP_C), argf(RMSPROP_EPS), argf(RMSPROP_WEIGHT_DECAY),
        argf(RMSPROP_MOMENTUM),
      );
      break;
    case K_ADAGRAD:
      adagrad(
        ptr(ADAGRAD_W), ptr(ADAGRAD_G), ptr(ADAGRAD_SUM), arg(ADAGRAD_N),
        argf(ADAGRAD_LR), argf(ADAGRAD_WEIGHT_DECAY), argf(ADAGRAD_EPS),
      );
      break;
    case K_ACCUMULATE:
      accumulate(ptr(ACCUMULATE_ACC), ptr(ACCUMULATE_X), arg(ACCUMULATE_N));
      break;
    // attention: split by rows of the score matrices
    case K_MASKED_SOFTMAX: {
      const rows = arg(MASKED_SOFTMAX_ROWS);
      const total = arg(MASKED_SOFTMAX_BATCH) * rows;
      maskedSoftmaxRows(
        ptr(MASKED_SOFTMAX_X), ptr(MASKED_SOFTMAX_MASK), ptr(MASKED_SOFTMAX_Y), rows, arg(MASKED_SOFTMAX_COLS),
        arg(MASKED_SOFTMAX_CAUSAL) != 0, arg(MASKED_SOFTMAX_HAS_MASK) != 0, arg(MASKED_SOFTMAX_MASK_BATCH),
        arg(MASKED_SOFTMAX_MASK_REPEAT), argf(MASKED_SOFTMAX_SCALE), cut(total, part, parts, 1), cut(total, part + 1, parts, 1),
      );
      break;
    }
    case K_MASKED_SOFTMAX_GRAD: {
      const rows = arg(MASKED_SOFTMAX_GRAD_ROWS);
      const total = arg(MASKED_SOFTMAX_GRAD_BATCH) * rows;
      maskedSoftmaxGradRows(
        ptr(MASKED_SOFTMAX_GRAD_Y), ptr(MASKED_SOFTMAX_GRAD_G), ptr(MASKED_SOFTMAX_GRAD_OUT), rows,
        arg(MASKED_SOFTMAX_GRAD_COLS), arg(MASKED_SOFTMAX_GRAD_CAUSAL) != 0, argf(MASKED_SOFTMAX_GRAD_SCALE),
        cut(total, part, parts, 1), cut(total, part + 1, parts, 1),
      );
      break;
    }
    // layer norm: the forward split by rows; the backward runs whole (its column sums span every row)
    case K_LAYER_NORM: {
      const rows = arg(LAYER_NORM_ROWS);
      layerNormRows(
        ptr(LAYER_NORM_X), ptr(LAYER_NORM_WEIGHT), ptr(LAYER_NORM_BIAS), ptr(LAYER_NORM_Y), ptr(LAYER_NORM_MEAN),
        ptr(LAYER_NORM_RSTD), arg(LAYER_NORM_N), argf(LAYER_NORM_EPS), cut(rows, part, parts, 1), cut(rows, part + 1, parts, 1),
      );
      break;
    }
    case K_LAYER_NORM_GRAD:
      if (part == 0) {
        layerNormGrad(
          ptr(LAYER_NORM_GRAD_X), ptr(LAYER_NORM_GRAD_MEAN), ptr(LAYER_NORM_GRAD_RSTD), ptr(LAYER_NORM_GRAD_WEIGHT),
          ptr(LAYER_NORM_GRAD_G), ptr(LAYER_NORM_GRAD_DX), ptr(LAYER_NORM_GRAD_DWEIGHT), ptr(LAYER_NORM_GRAD_DBIAS),
          arg(LAYER_NORM_GRAD_ROWS), arg(LAYER_NORM_GRAD_N), scratch,
        );
      }
      break;
    // Gaussian noise (differential privacy): split by whole groups of four draws
    case K_ZIGGURAT_FAST: {
      const n = arg(ZIGGURAT_FAST_N);
      const j0 = cut(n, part, parts, 4);
      const j1 = cut(n, part + 1, parts, 4);
      zigguratFast(
        ptr(ZIGGURAT_FAST_WORDS) + <usize>(j0 >> 2) * 20, ptr(ZIGGURAT_FAST_TABLE), ptr(ZIGGURAT_FAST_OUT) + (<usize>j0 << 2),
        j1 - j0, argf(ZIGGURAT_FAST_STD),
      );
      break;
    }
    // dropout: split by blocks of four elements (the mask depends on the index only)
    case K_DROPOUT: {
      const n = arg(DROPOUT_N);
      dropout(
        ptr(DROPOUT_X), ptr(DROPOUT_Y), cut(n, part, parts, 4), cut(n, part + 1, parts, 4), arg(DROPOUT_KEY0), arg(DROPOUT_KEY1),
        arg(DROPOUT_THRESHOLD), argf(DROPOUT_SCALE),
      );
      break;
    }
  }
}

/** First byte after the module's static data: the arena may start above it. */
export function heapBase(): usize {
  return __heap_base;
}
