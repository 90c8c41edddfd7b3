import { getBackend } from '../backend/registry.js';
import { type FloatArray, type TypedArray, castArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { type Storage, residentCopyLike } from '../tensor/storage.js';
import type { Tensor } from './tensor.js';
import { gradSlot, setGradSlot, takeSpareGrad, valuesOf } from './values.js';

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
  readonly perm?: readonly number[];
  readonly begin?: readonly number[];
  readonly index?: Tensor;
  readonly a?: number;
  readonly b?: number;
}

/**
 * A primitive's gradient rule. `backward` runs with gradient recording off,
 * except under `createGraph`, where it records like any forward code so the
 * gradients it returns are differentiable in turn: a rule must then build its
 * result from differentiable ops (or ops whose own rule covers the next order).
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
  /** True once a backward pass without `retainGraph` has released what the node saved. */
  freed = false;
  constructor(
    public def: OpDef,
    public inputs: readonly Tensor[],
    readonly output: Tensor,
    public attrs: Attrs,
  ) {}

  /**
   * Drops the references the node keeps for its backward (its inputs, its
   * attributes and the rule, which may hold saved values), so the tensors of a
   * finished graph can be garbage-collected. The op's name stays for errors.
   */
  release(): void {
    this.freed = true;
    this.inputs = [];
    this.attrs = EMPTY;
    this.def = { name: this.def.name };
  }
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

/** Wraps a whole storage in a new row-major Tensor (no copy). */
export function makeOn(storage: Storage, shape: Shape): Tensor {
  if (TensorClass === null) throw new Error('cortex: the Tensor class is not loaded; import from the package root');
  return new TensorClass(storage, shape);
}

/**
 * For a gradient rule about to compute the gradient of `t` into new storage:
 * the block of `t`'s previous gradient, when `t` is a leaf whose gradient was
 * dropped unseen (see `dropGrad`) and nothing has accumulated into it since,
 * so the rule's kernel can write the new gradient where it will live. Taken:
 * handed out once. Undefined while the backward records (`createGraph`).
 */
export function gradTarget(t: Tensor): Storage | undefined {
  if (gradEnabled || t.node !== null || gradSlot(t) !== null) return undefined;
  return takeSpareGrad(t);
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

/** True when `t` was marked by {@link ownedGradient} and not disowned since. */
export function isOwnedGradient(t: Tensor): boolean {
  return ownedGrads.has(t);
}

/** Withdraws `t`'s {@link ownedGradient} mark (its storage turned out to be shared). */
export function disownGradient(t: Tensor): void {
  ownedGrads.delete(t);
}

export function accumulateLeaf(t: Tensor, g: Tensor, adopted: Set<TypedArray>): void {
  const gd = valuesOf(g);
  const prev = gradSlot(t);
  if (prev === null) {
    // The leaf keeps owned storage (all of it, once per pass) that lives where the leaf does:
    // host memory, or the block of its last gradient that the rule computed into (gradTarget).
    // Anything else is copied, since it may share storage with other tensors of the pass or the caller.
    const gs = g.storage;
    if (ownedGrads.has(g) && t.dtype === g.dtype && gd === gs.array && gs.device === t.storage.device && !adopted.has(gd)) {
      adopted.add(gd);
      setGradSlot(t, makeOn(gs, t.shape));
      return;
    }
    // A resident leaf (a parameter in a backend's memory) gets a resident gradient, so the
    // optimizer updates both where they are: in the block of its last gradient when that
    // one was dropped unseen (see dropGrad), else in a new one.
    const values = t.dtype === g.dtype ? gd : castArray(gd, t.dtype);
    const spare = takeSpareGrad(t);
    spare?.array.set(values);
    const resident = spare ?? residentCopyLike(t.storage, values);
    setGradSlot(t, resident === null ? make(values === gd ? gd.slice() : values, t.shape) : makeOn(resident, t.shape));
    return;
  }
  // A gradient stored as a view (assigned by the caller) is made contiguous first, so the sum lands in it.
  const target = prev.isContiguous() ? prev : setAndReturn(t, prev.contiguous());
  const acc = valuesOf(target);
  if (acc instanceof Int32Array) {
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + gd[i]!;
  } else if (acc.constructor === gd.constructor) {
    getBackend().accumulate(acc, gd as FloatArray);
  } else {
    getBackend().accumulate(acc, castArray(gd, t.dtype) as FloatArray);
  }
}

function setAndReturn(t: Tensor, g: Tensor): Tensor {
  setGradSlot(t, g);
  return g;
}
