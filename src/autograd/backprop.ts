import { ArgumentError, GradientError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { accumulateLeaf, enableGrad, make, type Node, noGrad, ownedGradient } from './engine.js';
import { retainsGrad, runHooks } from './hooks.js';
import { accumulateOwned, recycleGradient, settleOwnership } from './recycle.js';
import type { Tensor } from './tensor.js';
import { gradSlot, setGradSlot, valuesOf } from './values.js';

/**
 * The reverse-mode traversal shared by `backward` and `grad`: seeds the roots,
 * walks the recorded nodes in reverse topological order, runs tensor hooks,
 * and then either accumulates into `.grad` or hands the gradients of chosen
 * tensors back. Unless `retainGraph`, the nodes it ran are released after.
 * @module
 */

/** How one traversal runs. */
export interface PassOptions {
  /** Keep the graph for another backward pass (default: `createGraph`). */
  retainGraph: boolean;
  /** Record the backward pass so its gradients are differentiable. */
  createGraph: boolean;
  /** Tensors whose gradients are wanted; null for every leaf (plain `backward`). */
  targets: readonly Tensor[] | null;
  /** Accumulate into `.grad` (backward) or only capture the targets' gradients (grad). */
  accumulate: boolean;
  /** The caller's name for messages. */
  op: string;
}

/** Reverse topological order of the graph below `roots` (roots first), through tensors that require grad. */
function order(roots: readonly Tensor[]): Tensor[] {
  const out: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS so deep graphs (long training loops unrolled) cannot overflow the stack.
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { t: Tensor; i: number }[] = [{ t: root, i: 0 }];
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
  }
  return out.reverse();
}

/** The tensors of `topo` from which some target can be reached (targets included). */
function leadingTo(topo: readonly Tensor[], targets: ReadonlySet<Tensor>): Set<Tensor> {
  const needed = new Set<Tensor>();
  for (let i = topo.length - 1; i >= 0; i--) {
    const t = topo[i]!;
    if (targets.has(t) || (t.node?.inputs.some((x) => needed.has(x)) ?? false)) needed.add(t);
  }
  return needed;
}

function freedError(op: string, node: Node): GradientError {
  return new GradientError(
    `${op}: trying to backward through the graph a second time (through the op '${node.def.name}'): its saved tensors were freed by the first backward or grad call. Pass { retainGraph: true } to the first call if you need to back-propagate through the graph again`,
  );
}

/**
 * Back-propagates `seeds` (one per root, shapes already checked) and returns the
 * gradients of the targets that were reached (after their hooks ran).
 */
export function backprop(roots: readonly Tensor[], seeds: readonly Tensor[], opts: PassOptions): Map<Tensor, Tensor> {
  const topo = order(roots);
  const targetSet = opts.targets === null ? null : new Set(opts.targets);
  const needed = targetSet === null ? null : leadingTo(topo, targetSet);
  const captured = new Map<Tensor, Tensor>();
  const ran: Node[] = [];
  const pass = (): void => {
    const grads = new Map<Tensor, Tensor>();
    roots.forEach((r, i) => {
      const prev = grads.get(r);
      grads.set(r, prev === undefined ? seeds[i]! : prev.add(seeds[i]!));
    });
    const adopted = new Set<TypedArray>();
    for (const t of topo) {
      const g0 = grads.get(t);
      if (g0 === undefined) continue;
      grads.delete(t);
      const g = runHooks(t, g0);
      const node = t.node;
      // A gradient the caller gets (a leaf's, a retained or wanted one) is never given back.
      let kept = opts.createGraph || g !== g0;
      if (targetSet === null ? node === null || retainsGrad(t) : targetSet.has(t)) {
        kept = true;
        if (opts.accumulate) accumulate(t, g, opts.createGraph, adopted);
        else captured.set(t, g);
      }
      if (node === null) continue;
      if (node.freed) {
        // A freed node has lost its inputs; a wanted tensor can still take its gradient.
        if (targetSet?.has(t) === true) continue;
        throw freedError(opts.op, node);
      }
      if (needed !== null && !node.inputs.some((x) => needed.has(x))) continue;
      const rule = node.def.backward;
      if (rule === undefined) {
        throw new GradientError(
          `${opts.op}: the op '${node.def.name}' has no gradient rule; detach its input or compute it under noGrad`,
        );
      }
      const ins = rule(g, node);
      ran.push(node);
      // g is consumed: its array goes back to the pool unless a result shares it.
      const spent = settleOwnership(g, ins) && !kept;
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i]!;
        const gx = ins[i];
        if (!x.requiresGrad || gx === null || gx === undefined) continue;
        if (needed !== null && !needed.has(x)) continue;
        if (!sameShape(gx.shape, x.shape)) {
          throw new GradientError(
            `backward of ${node.def.name}: gradient shape ${fmt(gx.shape)} does not match input shape ${fmt(x.shape)} (a bug in the op's gradient rule)`,
          );
        }
        const prev = grads.get(x);
        if (prev === undefined) grads.set(x, gx);
        // An owned prev takes gx in place and stays x's gradient; else a new sum replaces both.
        else if (opts.createGraph || !accumulateOwned(prev, gx)) {
          grads.set(x, ownedGradient(prev.add(gx)));
          if (!opts.createGraph) {
            recycleGradient(prev);
            recycleGradient(gx);
          }
        }
      }
      if (spent) recycleGradient(g);
    }
  };
  if (opts.createGraph) enableGrad(pass);
  else noGrad(pass);
  if (!opts.retainGraph) for (const node of ran) node.release();
  return captured;
}

/** Adds `g` into `t.grad`: in place as today, or out of place and recorded under `createGraph`. */
function accumulate(t: Tensor, g: Tensor, createGraph: boolean, adopted: Set<TypedArray>): void {
  if (!createGraph) {
    accumulateLeaf(t, g, adopted);
    return;
  }
  const cast = g.astype(t.dtype);
  // A new tensor, so `.grad` never aliases a gradient the caller or a rule still holds.
  const own = cast === g ? g.mul(1) : cast;
  const prev = gradSlot(t);
  setGradSlot(t, prev === null ? own : prev.add(own));
}

/** The implied gradient of a one-element output: 1 of its dtype. */
function ones(root: Tensor, op: string, what: string): Tensor {
  if (root.size !== 1) {
    throw new GradientError(
      `${op}: a gradient can be implied only for a one-element output, but ${what} has shape ${fmt(root.shape)}; pass the upstream gradient${op === 'backward' ? ': y.backward(g)' : ' in gradOutputs'}`,
    );
  }
  return make(valuesOf(root) instanceof Float64Array ? new Float64Array([1]) : new Float32Array([1]), root.shape);
}

/** Checks an upstream gradient against its output, or implies 1 when it is missing. */
export function seedFor(op: string, root: Tensor, grad: Tensor | null | undefined, what: string): Tensor {
  if (grad === undefined || grad === null) return ones(root, op, what);
  if (!sameShape(grad.shape, root.shape)) {
    throw new ArgumentError(`${op}: the upstream gradient has shape ${fmt(grad.shape)} but ${what} has shape ${fmt(root.shape)}`);
  }
  return grad;
}

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep the graph so another backward or grad can run through it (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward pass, so the gradients in `.grad` are differentiable (default false). */
  createGraph?: boolean;
  /** Accumulate only into these tensors' `.grad` (leaves or not) instead of every leaf. */
  inputs?: readonly Tensor[];
}

/**
 * Back-propagates from `root`. `grad` defaults to 1 for a one-element root;
 * other roots need an explicit upstream gradient of their shape. Gradients
 * accumulate into the `.grad` of leaf tensors that require them (and of
 * non-leaves that called `retainGrad`). The graph is released afterwards
 * unless `retainGraph`.
 */
export function backward(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new GradientError(
      'backward: this tensor does not require grad; create an input with { requiresGrad: true } or call backward on a result computed from one',
    );
  }
  const seed = seedFor('backward', root, grad, 'the output');
  const createGraph = opts.createGraph ?? false;
  if (opts.inputs !== undefined) {
    if (opts.inputs.length === 0) throw new ArgumentError('backward: inputs must not be empty; omit it to accumulate into every leaf');
    opts.inputs.forEach((x, i) => {
      if (!x.requiresGrad) throw new GradientError(`backward: inputs[${i}] (shape ${fmt(x.shape)}) does not require grad`);
    });
  }
  backprop([root], [seed], {
    retainGraph: opts.retainGraph ?? createGraph,
    createGraph,
    targets: opts.inputs ?? null,
    accumulate: true,
    op: 'backward',
  });
}
