import { getBackend } from '../backend/registry.js';
import { ArgumentError, GradientError } from '../errors.js';
import { type FloatArray, type TypedArray, castArray } from '../tensor/dtype.js';
import { type Shape, fmt, sameShape } from '../tensor/shape.js';
import type { Storage } from '../tensor/storage.js';
import type { Tensor } from './tensor.js';

/**
 * The reverse-mode engine. Every differentiable primitive is an {@link OpDef}:
 * its forward runs eagerly in an op function, and when a gradient is needed
 * the result gets a {@link Node} pointing at the def, the inputs and the
 * op's attributes. `backward` walks those nodes in reverse topological order.
 * @module
 */

/** Gradients of an op with respect to each input; null where the input needs none. */
export type Grads = readonly (Tensor | null)[];

/** Attributes an op keeps for its backward pass. */
export interface Attrs {
  readonly axis?: number;
  readonly axes?: readonly number[];
  readonly keepDims?: boolean;
  readonly shape?: Shape;
  readonly perm?: readonly number[];
  readonly begin?: readonly number[];
  readonly after?: readonly number[];
  readonly sizes?: readonly number[];
  readonly index?: Tensor;
  readonly a?: number;
  readonly b?: number;
}

/**
 * A primitive's gradient rule. `backward` runs with gradient recording off.
 * A def without `backward` marks an op that cannot be differentiated: reaching
 * it during back-propagation throws a {@link GradientError} naming the op.
 */
export interface OpDef {
  /** The op's name, used in error messages. */
  readonly name: string;
  /** Returns dL/d(input) for every input given dL/d(output) `g`. */
  readonly backward?: (g: Tensor, node: Node) => Grads;
}

/** One recorded application of a primitive. */
export class Node {
  constructor(
    readonly def: OpDef,
    readonly inputs: readonly Tensor[],
    readonly output: Tensor,
    readonly attrs: Attrs,
  ) {}
}

type TensorCtor = new (
  data: TypedArray | Storage,
  shape: Shape,
  requiresGrad?: boolean,
  layout?: { readonly strides: readonly number[]; readonly offset: number },
) => Tensor;
let TensorClass: TensorCtor | null = null;

/** Called once by the Tensor module so ops can build results without importing it. */
export function bindTensorClass(ctor: TensorCtor): void {
  TensorClass = ctor;
}

/** Wraps storage in a new Tensor (no copy). */
export function make(data: TypedArray, shape: Shape): Tensor {
  if (TensorClass === null) throw new Error('cortex: the Tensor class is not loaded; import from the package root');
  return new TensorClass(data, shape);
}

/** A view of `base`'s storage with its own shape, strides and offset (no copy). */
export function makeView(base: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  if (TensorClass === null) throw new Error('cortex: the Tensor class is not loaded; import from the package root');
  return new TensorClass(base.storage, shape, false, { strides, offset });
}

let gradEnabled = true;

/** True unless inside {@link noGrad}. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording gradients (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with gradient recording on, even inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op on these inputs must be recorded. */
export function recording(a: Tensor, b?: Tensor, c?: Tensor): boolean {
  return gradEnabled && (a.requiresGrad || (b?.requiresGrad ?? false) || (c?.requiresGrad ?? false));
}

/** Makes `out` the result of `def` applied to `inputs`, for backward. Returns `out`. */
export function record(def: OpDef, inputs: readonly Tensor[], out: Tensor, attrs: Attrs = EMPTY): Tensor {
  out.requiresGrad = true;
  out.node = new Node(def, inputs, out, attrs);
  return out;
}

const EMPTY: Attrs = Object.freeze({});

/** Reverse topological order of the graph below `root` (root first). */
function order(root: Tensor): Tensor[] {
  const out: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS so deep graphs (long training loops unrolled) cannot overflow the stack.
  const stack: { t: Tensor; i: number }[] = [{ t: root, i: 0 }];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.t.node?.inputs ?? [];
    if (top.i < inputs.length) {
      const next = inputs[top.i++]!;
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push({ t: next, i: 0 });
      }
    } else {
      out.push(top.t);
      stack.pop();
    }
  }
  return out.reverse();
}

/**
 * Back-propagates from `root`. `grad` defaults to 1 for a one-element root;
 * other roots need an explicit upstream gradient of their shape. Gradients
 * accumulate into the `.grad` of leaf tensors that require them.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) {
    throw new GradientError(
      'backward: this tensor does not require grad; create an input with { requiresGrad: true } or call backward on a result computed from one',
    );
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new GradientError(
        `backward: a gradient can be implied only for a one-element output, but the output has shape ${fmt(root.shape)}; pass the upstream gradient: y.backward(g)`,
      );
    }
    seed = make(root.data instanceof Float64Array ? new Float64Array([1]) : new Float32Array([1]), root.shape);
  } else {
    if (!sameShape(grad.shape, root.shape)) {
      throw new ArgumentError(
        `backward: the upstream gradient has shape ${fmt(grad.shape)} but the output has shape ${fmt(root.shape)}`,
      );
    }
    seed = grad;
  }
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    const adopted = new Set<ArrayBufferLike>();
    grads.set(root, seed);
    for (const t of order(root)) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.node;
      if (node === null) {
        accumulateLeaf(t, g, adopted);
        continue;
      }
      const rule = node.def.backward;
      if (rule === undefined) {
        throw new GradientError(
          `backward: the op '${node.def.name}' has no gradient rule; detach its input or compute it under noGrad`,
        );
      }
      const ins = rule(g, node);
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i]!;
        const gx = ins[i];
        if (!x.requiresGrad || gx === null || gx === undefined) continue;
        if (!sameShape(gx.shape, x.shape)) {
          throw new GradientError(
            `backward of ${node.def.name}: gradient shape ${fmt(gx.shape)} does not match input shape ${fmt(x.shape)} (a bug in the op's gradient rule)`,
          );
        }
        const prev = grads.get(x);
        grads.set(x, prev === undefined ? gx : ownedGradient(prev.add(gx)));
      }
    }
  });
}

/** Gradients computed into new storage that nothing else references (see {@link ownedGradient}). */
const ownedGrads = new WeakSet<Tensor>();

/**
 * Marks `t`, a gradient a rule just computed into newly allocated storage
 * (not a view of its upstream gradient or of any other tensor), as owned by
 * the backward pass. A leaf may then keep that storage as its `.grad` instead
 * of copying it, which saves an allocation and a copy per parameter and step.
 * Returns `t`.
 */
export function ownedGradient<T extends Tensor | null>(t: T): T {
  if (t !== null) ownedGrads.add(t);
  return t;
}

function accumulateLeaf(t: Tensor, g: Tensor, adopted: Set<ArrayBufferLike>): void {
  const gd = g.data;
  if (t.grad === null) {
    // The leaf keeps owned storage once per pass; anything else is copied,
    // since it may share storage with other tensors of the pass or the caller.
    const buf = gd.buffer;
    if (ownedGrads.has(g) && t.dtype === g.dtype && gd.byteOffset === 0 && gd.byteLength === buf.byteLength && !adopted.has(buf)) {
      adopted.add(buf);
      t.grad = make(gd, t.shape);
      return;
    }
    t.grad = make(t.dtype === g.dtype ? gd.slice() : castArray(gd, t.dtype), t.shape);
    return;
  }
  const acc = t.grad.data;
  if (acc instanceof Int32Array) {
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + gd[i]!;
  } else if (acc.constructor === gd.constructor) {
    getBackend().accumulate(acc, gd as FloatArray);
  } else {
    getBackend().accumulate(acc, castArray(gd, t.dtype) as FloatArray);
  }
}
