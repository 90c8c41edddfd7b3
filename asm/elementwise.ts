// Elementwise kernels: unary maps, binary ops over a [rows, cols] view with
// per-operand strides (full, row-broadcast, column-broadcast or scalar), and
// fused activation gradients. The op codes come from opcodes.ts, generated
// from scripts/kernel-table.ts together with the TypeScript side's.
import {
  B_ADD, B_DIV, B_EQ, B_GE, B_GT, B_LE, B_LT, B_MAXIMUM, B_MINIMUM, B_MUL, B_NE, B_SUB,
  G_ELU, G_GELU, G_LEAKY_RELU, G_RELU, G_SIGMOID, G_SOFTPLUS, G_TANH,
  U_ABS, U_CLAMP, U_ELU, U_EXP, U_GELU, U_LEAKY_RELU, U_LOG, U_NEG, U_RELU, U_SIGMOID, U_SOFTPLUS, U_SQRT, U_TANH,
} from './opcodes';
import { vexp, vexpm1neg, vgelu, vgeluGrad, vlog, vsigmoid, vsoftplus, vtanh } from './vmath';

@inline export function unaryV(op: i32, x: v128, a: v128, b: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_EXP: return vexp(x);
    case U_LOG: return vlog(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_ABS: return f32x4.abs(x);
    // max(x, 0) but NaN stays NaN like `x > 0 ? x : 0`... keep x when not (x <= 0).
    case U_RELU: return v128.bitselect(f32x4.splat(0), x, f32x4.le(x, f32x4.splat(0)));
    case U_SIGMOID: return vsigmoid(x);
    case U_TANH: return vtanh(x);
    case U_LEAKY_RELU: return v128.bitselect(x, f32x4.mul(a, x), f32x4.gt(x, f32x4.splat(0)));
    case U_CLAMP: return f32x4.min(f32x4.max(x, a), b);
    // NaN fails x > 0 and propagates through min and the exp path.
    case U_ELU: return v128.bitselect(x, f32x4.mul(a, vexpm1neg(f32x4.min(x, f32x4.splat(0)))), f32x4.gt(x, f32x4.splat(0)));
    case U_SOFTPLUS: return vsoftplus(x);
    case U_GELU: return vgelu(x);
  }
  return x;
}

@inline function unaryLoop(op: i32, x: usize, y: usize, n: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  let i = 0;
  // Two independent vectors per step give the long polynomial chains (exp, GELU) room to overlap.
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const r0 = unaryV(op, v128.load(x + o), va, vb);
    const r1 = unaryV(op, v128.load(x + o, 16), va, vb);
    v128.store(y + o, r0);
    v128.store(y + o, r1, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, unaryV(op, v128.load(x + o), va, vb));
  }
  if (i < n) {
    // Tail: run the vector code on a zero-padded copy of the last lanes.
    let t = f32x4.splat(0);
    const rest = n - i;
    const o = <usize>i << 2;
    t = f32x4.replace_lane(t, 0, load<f32>(x + o));
    if (rest > 1) t = f32x4.replace_lane(t, 1, load<f32>(x + o, 4));
    if (rest > 2) t = f32x4.replace_lane(t, 2, load<f32>(x + o, 8));
    const r = unaryV(op, t, va, vb);
    store<f32>(y + o, f32x4.extract_lane(r, 0));
    if (rest > 1) store<f32>(y + o, f32x4.extract_lane(r, 1), 4);
    if (rest > 2) store<f32>(y + o, f32x4.extract_lane(r, 2), 8);
  }
}

// One function per op keeps each loop small for the engine's register allocator.
function uneg(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_NEG, x, y, n, a, b);
}
function uexp(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_EXP, x, y, n, a, b);
}
function ulog(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_LOG, x, y, n, a, b);
}
function usqrt(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_SQRT, x, y, n, a, b);
}
function uabs(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_ABS, x, y, n, a, b);
}
function urelu(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_RELU, x, y, n, a, b);
}
function usigmoid(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_SIGMOID, x, y, n, a, b);
}
function utanh(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_TANH, x, y, n, a, b);
}
function uleaky(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_LEAKY_RELU, x, y, n, a, b);
}
function uclamp(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_CLAMP, x, y, n, a, b);
}
function uelu(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_ELU, x, y, n, a, b);
}
function usoftplus(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_SOFTPLUS, x, y, n, a, b);
}
function ugelu(x: usize, y: usize, n: i32, a: f32, b: f32): void {
  unaryLoop(U_GELU, x, y, n, a, b);
}

/** y[i] = f(x[i]) for i in [i0, i1). */
export function unary(op: i32, x: usize, y: usize, i0: i32, i1: i32, a: f32, b: f32): void {
  const off = <usize>i0 << 2;
  x += off;
  y += off;
  const n = i1 - i0;
  switch (op) {
    case U_NEG:
      uneg(x, y, n, a, b);
      break;
    case U_EXP:
      uexp(x, y, n, a, b);
      break;
    case U_LOG:
      ulog(x, y, n, a, b);
      break;
    case U_SQRT:
      usqrt(x, y, n, a, b);
      break;
    case U_ABS:
      uabs(x, y, n, a, b);
      break;
    case U_RELU:
      urelu(x, y, n, a, b);
      break;
    case U_SIGMOID:
      usigmoid(x, y, n, a, b);
      break;
    case U_TANH:
      utanh(x, y, n, a, b);
      break;
    case U_LEAKY_RELU:
      uleaky(x, y, n, a, b);
      break;
    case U_CLAMP:
      uclamp(x, y, n, a, b);
      break;
    case U_ELU:
      uelu(x, y, n, a, b);
      break;
    case U_SOFTPLUS:
      usoftplus(x, y, n, a, b);
      break;
    case U_GELU:
      ugelu(x, y, n, a, b);
      break;
  }
}


@inline function binaryV(op: i32, a: v128, b: v128): v128 {
  const one = f32x4.splat(1);
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    case B_MAXIMUM: return f32x4.max(a, b);
    case B_MINIMUM: return f32x4.min(a, b);
    case B_EQ: return v128.and(f32x4.eq(a, b), one);
    case B_NE: return v128.and(f32x4.ne(a, b), one);
    case B_LT: return v128.and(f32x4.lt(a, b), one);
    case B_LE: return v128.and(f32x4.le(a, b), one);
    case B_GT: return v128.and(f32x4.gt(a, b), one);
    case B_GE: return v128.and(f32x4.ge(a, b), one);
  }
  return a;
}

@inline function binaryScalar(op: i32, a: f32, b: f32): f32 {
  return f32x4.extract_lane(binaryV(op, f32x4.splat(a), f32x4.splat(b)), 0);
}

// One row: out[c] = a[c*sa] op b[c*sb] for c in [c0, c1), sa and sb in {0, 1}.
@inline function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, y: usize, c0: i32, c1: i32): void {
  let c = c0;
  if (sa != 0 && sb != 0) {
    for (; c + 4 <= c1; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, binaryV(op, v128.load(a + o), v128.load(b + o)));
    }
    for (; c < c1; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, binaryScalar(op, load<f32>(a + o), load<f32>(b + o)));
    }
  } else if (sa != 0) {
    const bs = load<f32>(b);
    const vb = f32x4.splat(bs);
    for (; c + 4 <= c1; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, binaryV(op, v128.load(a + o), vb));
    }
    for (; c < c1; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, binaryScalar(op, load<f32>(a + o), bs));
    }
  } else if (sb != 0) {
    const as = load<f32>(a);
    const va = f32x4.splat(as);
    for (; c + 4 <= c1; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, binaryV(op, va, v128.load(b + o)));
    }
    for (; c < c1; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, binaryScalar(op, as, load<f32>(b + o)));
    }
  } else {
    const v = binaryScalar(op, load<f32>(a), load<f32>(b));
    const vv = f32x4.splat(v);
    for (; c + 4 <= c1; c += 4) v128.store(y + (<usize>c << 2), vv);
    for (; c < c1; c++) store<f32>(y + (<usize>c << 2), v);
  }
}

@inline function binaryRows(
  op: i32, a: usize, ra: i32, sa: i32, b: usize, rb: i32, sb: i32, y: usize, cols: i32,
  r0: i32, r1: i32, c0: i32, c1: i32,
): void {
  for (let r = r0; r < r1; r++) {
    binaryRow(op, a + (<usize>(r * ra) << 2), sa, b + (<usize>(r * rb) << 2), sb, y + (<usize>(r * cols) << 2), c0, c1);
  }
}

/**
 * out[r, c] = a[r*ra + c*sa] op b[r*rb + c*sb] over rows [r0, r1) and columns
 * [c0, c1) of a [rows, cols] output; sa, sb are 0 or 1.
 */
export function binary(
  op: i32, a: usize, ra: i32, sa: i32, b: usize, rb: i32, sb: i32, y: usize, cols: i32,
  r0: i32, r1: i32, c0: i32, c1: i32,
): void {
  switch (op) {
    case B_ADD: binaryRows(B_ADD, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_SUB: binaryRows(B_SUB, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_MUL: binaryRows(B_MUL, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_DIV: binaryRows(B_DIV, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_MAXIMUM: binaryRows(B_MAXIMUM, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_MINIMUM: binaryRows(B_MINIMUM, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_EQ: binaryRows(B_EQ, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_NE: binaryRows(B_NE, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_LT: binaryRows(B_LT, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_LE: binaryRows(B_LE, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_GT: binaryRows(B_GT, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
    case B_GE: binaryRows(B_GE, a, ra, sa, b, rb, sb, y, cols, r0, r1, c0, c1); break;
  }
}


@inline function gradV(op: i32, x: v128, y: v128, g: v128, a: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (op) {
    case G_RELU: return v128.and(g, f32x4.gt(x, zero));
    case G_SIGMOID: return f32x4.mul(g, f32x4.mul(y, f32x4.sub(one, y)));
    case G_TANH: return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
    case G_LEAKY_RELU: return v128.bitselect(g, f32x4.mul(a, g), f32x4.gt(x, zero));
    case G_SOFTPLUS: return f32x4.mul(g, vsigmoid(x));
    case G_ELU: return v128.bitselect(g, f32x4.mul(g, f32x4.add(y, a)), f32x4.gt(x, zero));
    case G_GELU: return f32x4.mul(g, vgeluGrad(x));
  }
  return g;
}

@inline function gradLoop(op: i32, x: usize, y: usize, g: usize, out: usize, i0: i32, i1: i32, a: f32): void {
  const va = f32x4.splat(a);
  let i = i0;
  for (; i + 8 <= i1; i += 8) {
    const o = <usize>i << 2;
    const r0 = gradV(op, v128.load(x + o), v128.load(y + o), v128.load(g + o), va);
    const r1 = gradV(op, v128.load(x + o, 16), v128.load(y + o, 16), v128.load(g + o, 16), va);
    v128.store(out + o, r0);
    v128.store(out + o, r1, 16);
  }
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, gradV(op, v128.load(x + o), v128.load(y + o), v128.load(g + o), va));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const r = gradV(op, f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(y + o)), f32x4.splat(load<f32>(g + o)), va);
    store<f32>(out + o, f32x4.extract_lane(r, 0));
  }
}

/** out = dL/dx of an activation from its input x, output y and upstream g, over [i0, i1). */
export function activationGrad(op: i32, x: usize, y: usize, g: usize, out: usize, i0: i32, i1: i32, a: f32): void {
  switch (op) {
    case G_RELU: gradLoop(G_RELU, x, y, g, out, i0, i1, a); break;
    case G_SIGMOID: gradLoop(G_SIGMOID, x, y, g, out, i0, i1, a); break;
    case G_TANH: gradLoop(G_TANH, x, y, g, out, i0, i1, a); break;
    case G_LEAKY_RELU: gradLoop(G_LEAKY_RELU, x, y, g, out, i0, i1, a); break;
    case G_SOFTPLUS: gradLoop(G_SOFTPLUS, x, y, g, out, i0, i1, a); break;
    case G_ELU: gradLoop(G_ELU, x, y, g, out, i0, i1, a); break;
    case G_GELU: gradLoop(G_GELU, x, y, g, out, i0, i1, a); break;
  }
}
