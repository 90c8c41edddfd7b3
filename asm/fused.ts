// Fused kernels: bias-add plus activation over the rows of x viewed as
// [m, n], and softmax cross-entropy (forward and gradient) along rows.
// Activation codes are the unary/scalar codes of opcodes.ts; F_NONE adds the
// bias alone.
import { unaryV } from './elementwise';
import { F_NONE, U_ELU, U_GELU, U_LEAKY_RELU, U_RELU, U_SIGMOID, U_SOFTPLUS, U_TANH } from './opcodes';
import { vexp } from './vmath';

@inline function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

@inline function lo2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline function actV(op: i32, v: v128, a: v128): v128 {
  return op == F_NONE ? v : unaryV(op, v, a, a);
}

// Rows [r0, r1) of y = act(x + bias): the f32 sum is formed first, exactly as a
// separate add rounds it, then the activation runs on it in registers.
@inline function biasActLoop(op: i32, x: usize, bias: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  const va = f32x4.splat(a);
  for (let r = r0; r < r1; r++) {
    const off = <usize>r * <usize>n << 2;
    const px = x + off;
    const py = y + off;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(py + o, actV(op, f32x4.add(v128.load(px + o), v128.load(bias + o)), va));
    }
    if (j < n) {
      // Tail: a zero-padded vector of the last one to three sums.
      const rest = n - j;
      const o = <usize>j << 2;
      let t = f32x4.splat(0);
      t = f32x4.replace_lane(t, 0, load<f32>(px + o) + load<f32>(bias + o));
      if (rest > 1) t = f32x4.replace_lane(t, 1, load<f32>(px + o, 4) + load<f32>(bias + o, 4));
      if (rest > 2) t = f32x4.replace_lane(t, 2, load<f32>(px + o, 8) + load<f32>(bias + o, 8));
      const v = actV(op, t, va);
      store<f32>(py + o, f32x4.extract_lane(v, 0));
      if (rest > 1) store<f32>(py + o, f32x4.extract_lane(v, 1), 4);
      if (rest > 2) store<f32>(py + o, f32x4.extract_lane(v, 2), 8);
    }
  }
}

// One function per activation keeps each loop small, as in elementwise.ts.
function bnone(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(F_NONE, x, b, y, n, r0, r1, a);
}
function brelu(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_RELU, x, b, y, n, r0, r1, a);
}
function bsigmoid(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_SIGMOID, x, b, y, n, r0, r1, a);
}
function btanh(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_TANH, x, b, y, n, r0, r1, a);
}
function bsoftplus(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_SOFTPLUS, x, b, y, n, r0, r1, a);
}
function bleaky(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_LEAKY_RELU, x, b, y, n, r0, r1, a);
}
function belu(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_ELU, x, b, y, n, r0, r1, a);
}

function bgelu(x: usize, b: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  biasActLoop(U_GELU, x, b, y, n, r0, r1, a);
}

/** y = act(x + bias) for rows [r0, r1) of x viewed as [m, n], bias [n]. */
export function biasActivation(op: i32, x: usize, bias: usize, y: usize, n: i32, r0: i32, r1: i32, a: f32): void {
  switch (op) {
    case F_NONE:
      bnone(x, bias, y, n, r0, r1, a);
      break;
    case U_RELU:
      brelu(x, bias, y, n, r0, r1, a);
      break;
    case U_SIGMOID:
      bsigmoid(x, bias, y, n, r0, r1, a);
      break;
    case U_TANH:
      btanh(x, bias, y, n, r0, r1, a);
      break;
    case U_SOFTPLUS:
      bsoftplus(x, bias, y, n, r0, r1, a);
      break;
    case U_LEAKY_RELU:
      bleaky(x, bias, y, n, r0, r1, a);
      break;
    case U_ELU:
      belu(x, bias, y, n, r0, r1, a);
      break;
    case U_GELU:
      bgelu(x, bias, y, n, r0, r1, a);
      break;
  }
}

// Max of n floats at p (NaN ignored as in the reference's `>` scan; -Inf when empty).
function rowMax(p: usize, n: i32): f32 {
  let acc = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.max(acc, v128.load(p + (<usize>i << 2)));
  let s = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  for (; i < n; i++) s = max(s, load<f32>(p + (<usize>i << 2)));
  return s;
}

/**
 * Rows [o0, o1) of softmax cross-entropy on x viewed as [rows, c]: probs gets
 * the softmax of each row, loss[o] = max + log Σ e^(x − max) − x[label], with
 * the sum in f64. labels holds one i32 per row.
 */
export function softmaxCrossEntropyRows(
  x: usize, labels: usize, loss: usize, probs: usize, c: i32, o0: i32, o1: i32,
): void {
  for (let o = o0; o < o1; o++) {
    const off = <usize>o * <usize>c << 2;
    const src = x + off;
    const dst = probs + off;
    let mx = rowMax(src, c);
    if (mx == -Infinity) mx = 0;
    const vm = f32x4.splat(mx);
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= c; i += 4) {
      const o4 = <usize>i << 2;
      const e = vexp(f32x4.sub(v128.load(src + o4), vm));
      v128.store(dst + o4, e);
      a0 = f64x2.add(a0, lo2(e));
      a1 = f64x2.add(a1, hi2(e));
    }
    a0 = f64x2.add(a0, a1);
    let sum = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    for (; i < c; i++) {
      const ob = <usize>i << 2;
      const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(src + ob) - mx)), 0);
      store<f32>(dst + ob, e);
      sum += <f64>e;
    }
    const vs = f32x4.splat(<f32>sum);
    i = 0;
    for (; i + 4 <= c; i += 4) {
      const o4 = <usize>i << 2;
      v128.store(dst + o4, f32x4.div(v128.load(dst + o4), vs));
    }
    for (; i < c; i++) {
      const ob = <usize>i << 2;
      store<f32>(dst + ob, load<f32>(dst + ob) / f32x4.extract_lane(vs, 0));
    }
    const label = load<i32>(labels + (<usize>o << 2));
    const picked: f64 = label >= 0 && label < c ? <f64>load<f32>(src + (<usize>label << 2)) : NaN;
    store<f32>(loss + (<usize>o << 2), <f32>(<f64>mx - picked + Math.log(sum)));
  }
}

/** Rows [o0, o1) of out = (probs − onehot(label)) · g[row]. */
export function softmaxCrossEntropyGradRows(
  probs: usize, g: usize, labels: usize, out: usize, c: i32, o0: i32, o1: i32,
): void {
  for (let o = o0; o < o1; o++) {
    const off = <usize>o * <usize>c << 2;
    const pp = probs + off;
    const po = out + off;
    const gv = load<f32>(g + (<usize>o << 2));
    const vg = f32x4.splat(gv);
    let i = 0;
    for (; i + 4 <= c; i += 4) {
      const o4 = <usize>i << 2;
      v128.store(po + o4, f32x4.mul(v128.load(pp + o4), vg));
    }
    for (; i < c; i++) {
      const ob = <usize>i << 2;
      store<f32>(po + ob, load<f32>(pp + ob) * gv);
    }
    const label = load<i32>(labels + (<usize>o << 2));
    if (label >= 0 && label < c) {
      const ob = <usize>label << 2;
      store<f32>(po + ob, <f32>((<f64>load<f32>(pp + ob) - 1) * <f64>gv));
    }
  }
}
