#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that the Cortex op tests compare against.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-reference.py

It rewrites test/fixtures/torch/<op>.json (one file per core op) and
test/fixtures/torch/losses.json (the loss functions used by src/nn). The output is
deterministic: every op draws from its own torch.Generator seeded with the CRC-32 of
the op name, so adding an op does not change the fixtures of the others.

How values are made
  * Random inputs are rounded to float32 before anything is computed, so that the
    float32 tensors the TypeScript tests build hold exactly the values torch saw.
  * Outputs and gradients are computed by torch in float64, then written with 9
    significant digits (enough to round-trip any float32).
  * Gradients are those of L = (out * w).sum() for a fixed random w of the output's
    shape (also float32-representable), so they are not all ones.

JSON format of <op>.json
  { "op": "add",
    "cases": [
      { "name": "broadcast_234_4",
        "args": { ...op attributes, e.g. "axis": 1, "keepDims": true... },
        "inputs": [ {"shape": [2, 3, 4], "data": [...]}, ... ],
        "output": {"shape": [...], "data": [...]},
        "grads": [ {"shape": ..., "data": ...} | null, ... ],   (one per input)
        "w": {"shape": ..., "data": ...} | null } ] }
  * "data" is the row-major flattening. A tensor that is not float carries
    "dtype": "int32" (indices) or "bool" (conditions and comparison results, 0/1).
  * Ops without a gradient (comparisons, argmax, oneHot, creation) have "w": null and
    "grads" full of nulls. A null grad also marks an input that is not differentiable.
  * An op with several outputs (split) has "outputs" and "ws" (lists) instead of
    "output" and "w"; then L = sum_i (outputs[i] * ws[i]).sum().
  * Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity".
  * An absent attribute in "args" means the op's default; null means "not given".

losses.json has the same case format, grouped as { "ops": [ {"op": ..., "cases": [...]}, ... ] }.
"""

import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "torch")
STAB = [-1e4, -5e3, -1e3, -30.0, -1.0, 0.0, 0.5, 30.0, 1e3, 5e3, 1e4]
D = torch.float64


def num(v):
    """Encodes one number for JSON: 9 significant digits, strings for non-finite."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    v = float(f"{v:.9g}")
    return int(v) if v == int(v) and abs(v) < 1e15 else v


def enc(t):
    """Encodes a tensor as {shape, data[, dtype]}."""
    t = t.detach()
    d = {"shape": list(t.shape), "data": [num(v) for v in t.flatten().tolist()]}
    if t.dtype == torch.bool:
        d["dtype"] = "bool"
    elif not t.is_floating_point():
        d["dtype"] = "int32"
    return d


class Rand:
    """Seeded float32-representable random tensors (held as float64)."""

    def __init__(self, name):
        self.g = torch.Generator().manual_seed(zlib.crc32(name.encode()))

    def n(self, *shape, scale=1.0):
        return (torch.randn(shape, generator=self.g, dtype=D) * scale).float().double()

    def u(self, lo, hi, *shape):
        return (lo + (hi - lo) * torch.rand(shape, generator=self.g, dtype=D)).float().double()

    def away(self, lo, hi, *shape):
        """|x| in [lo, hi) with a random sign: keeps clear of kinks and poles at 0."""
        sign = torch.randint(0, 2, shape, generator=self.g).double() * 2 - 1
        return sign * self.u(lo, hi, *shape)

    def i(self, lo, hi, *shape):
        return torch.randint(lo, hi, shape, generator=self.g)


def run_case(r, name, fn, inputs, args=None, frozen=()):
    """Runs fn on the inputs in float64 and returns one JSON case; inputs in `frozen` get no gradient."""
    xs = [x.clone().requires_grad_(x.is_floating_point() and k not in frozen) for k, x in enumerate(inputs)]
    out = fn(*xs)
    multi = isinstance(out, (list, tuple))
    outs = list(out) if multi else [out]
    c = {"name": name, "args": args or {}, "inputs": [enc(x) for x in inputs]}
    diff = any(x.requires_grad for x in xs) and all(o.is_floating_point() and o.requires_grad for o in outs)
    ws = [r.n(*o.shape) for o in outs] if diff else None
    if diff:
        loss = sum((o * w).sum() for o, w in zip(outs, ws))
        loss.backward()
    grads = [enc(x.grad) if x.grad is not None else None for x in xs]
    if multi:
        c["outputs"] = [enc(o) for o in outs]
        c["ws"] = [enc(w) for w in ws] if ws else None
    else:
        c["output"] = enc(outs[0])
        c["w"] = enc(ws[0]) if ws else None
    c["grads"] = grads
    return c


BCAST = [([3, 4], [3, 4]), ([2, 3, 4], [4]), ([3, 1], [1, 4]), ([], [2, 3]), ([2, 1, 3], [4, 1]), ([5, 1, 1], [2, 3])]


def sname(a, b):
    s = lambda sh: "".join(map(str, sh)) or "scalar"
    return f"{s(a)}_{s(b)}"


def binary(op, fn, make):
    """Cases of a broadcasting binary op; make(r, shape) draws one operand."""
    r = Rand(op)
    cases = [run_case(r, sname(a, b), fn, [make(r, a, 0), make(r, b, 1)]) for a, b in BCAST]
    return r, cases


def unary(op, fn, make, args=None, shapes=([2, 3, 4], [7], []), extra=()):
    r = Rand(op)
    cases = [run_case(r, "s" + ("".join(map(str, s)) or "calar"), fn, [make(r, s)], args) for s in shapes]
    for name, xs in extra:
        cases.append(run_case(r, name, fn, xs, args))
    return r, cases


def normal(r, s, _=0):
    return r.n(*s)


def stab_1d():
    return ("stability_1e4", [torch.tensor(STAB, dtype=D)])


def stab_2d():
    rows = [[1e4, -1e4, 0.0, 5e3], [1e4, 1e4, 1e4 - 1, 1e4 - 2], [-1e4, -1e4 + 0.5, -1e4 + 1, -1e4]]
    return torch.tensor(rows, dtype=D)


def elementwise_ops():
    ops = {}
    ops["add"] = binary("add", torch.add, normal)[1]
    ops["sub"] = binary("sub", torch.sub, normal)[1]
    ops["mul"] = binary("mul", torch.mul, normal)[1]
    ops["div"] = binary("div", torch.div, lambda r, s, k: r.n(*s) if k == 0 else r.away(0.5, 2.0, *s))[1]
    ops["maximum"] = binary("maximum", torch.maximum, normal)[1]
    ops["minimum"] = binary("minimum", torch.minimum, normal)[1]
    r, cases = binary("pow", torch.pow, lambda r, s, k: r.u(0.5, 2.0, *s) if k == 0 else r.u(-2.0, 2.0, *s))
    for e in (2.0, 3.0, 0.5, -1.5):
        base = r.away(0.5, 2.0, 3, 4) if e in (2.0, 3.0) else r.u(0.5, 2.0, 3, 4)
        cases.append(run_case(r, f"scalar_exponent_{e:g}", lambda x, e=e: torch.pow(x, e), [base], {"exponent": e}))
    zero_base = torch.tensor([0.0, 1.5, -2.0, 0.0], dtype=D)
    for e in (0.0, 2.0):
        cases.append(run_case(r, f"zero_base_exponent_{e:g}", lambda x, e=e: torch.pow(x, e), [zero_base], {"exponent": e}))
    ops["pow"] = cases
    for op, scalar in (("add", 2.5), ("sub", -1.25), ("mul", 3.0), ("div", 4.0)):
        r = Rand(op + "_scalar")
        fn = getattr(torch, op)
        ops[op].append(run_case(r, "scalar_rhs", lambda x, fn=fn, s=scalar: fn(x, s), [r.n(2, 3)], {"scalar": scalar}))

    ops["neg"] = unary("neg", torch.neg, normal)[1]
    ops["exp"] = unary("exp", torch.exp, lambda r, s: r.n(*s, scale=2.0))[1]
    ops["log"] = unary("log", torch.log, lambda r, s: r.u(0.05, 5.0, *s))[1]
    ops["sqrt"] = unary("sqrt", torch.sqrt, lambda r, s: r.u(0.05, 5.0, *s))[1]
    ops["abs"] = unary("abs", torch.abs, lambda r, s: r.away(0.05, 3.0, *s))[1]
    ops["sign"] = unary("sign", torch.sign, lambda r, s: r.away(0.05, 3.0, *s))[1]

    r = Rand("clamp")
    ops["clamp"] = [
        run_case(r, name, lambda x, lo=lo, hi=hi: torch.clamp(x, lo, hi), [r.n(3, 5, scale=2.0)], {"min": lo, "max": hi})
        for name, lo, hi in (("both", -0.5, 0.75), ("min_only", -0.25, None), ("max_only", None, 0.3))
    ]
    r = Rand("where")
    ops["where"] = [
        run_case(r, name, torch.where, [r.i(0, 2, *cs).bool(), r.n(*a), r.n(*b)])
        for name, cs, a, b in (("same", [3, 4], [3, 4], [3, 4]), ("broadcast", [3, 1], [3, 4], [4]), ("cond_bcast", [2, 1, 4], [3, 1], []))
    ]
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        r = Rand(op)
        fn = getattr(torch, op)
        ints = lambda r, s: r.i(-2, 3, *s).double()
        cases = [run_case(r, sname(a, b), fn, [ints(r, a), ints(r, b)]) for a, b in BCAST]
        cases.append(run_case(r, "scalar_rhs", lambda x, fn=fn: fn(x, 1.0), [ints(r, [2, 5])], {"scalar": 1}))
        ops[op] = cases
    return ops


def activation_ops():
    ops = {}
    ops["sigmoid"] = unary("sigmoid", torch.sigmoid, lambda r, s: r.n(*s, scale=3.0), extra=[stab_1d()])[1]
    ops["tanh"] = unary("tanh", torch.tanh, lambda r, s: r.n(*s, scale=2.0), extra=[stab_1d()])[1]
    ops["softplus"] = unary("softplus", F.softplus, lambda r, s: r.n(*s, scale=3.0), extra=[stab_1d()])[1]
    ops["relu"] = unary("relu", torch.relu, lambda r, s: r.away(0.05, 3.0, *s))[1]
    cases = []
    for slope in (0.01, 0.2):
        cases += unary("leakyRelu", lambda x, a=slope: F.leaky_relu(x, a), lambda r, s: r.away(0.05, 3.0, *s),
                       {"negativeSlope": slope}, shapes=([2, 3, 4], [6]))[1]
        cases[-2]["name"] += f"_slope{slope:g}"
        cases[-1]["name"] += f"_slope{slope:g}"
    ops["leakyRelu"] = cases
    cases = []
    for alpha in (1.0, 0.5):
        cases += unary("elu", lambda x, a=alpha: F.elu(x, a), lambda r, s: r.away(0.05, 3.0, *s),
                       {"alpha": alpha}, shapes=([2, 3, 4], [6]))[1]
        cases[-2]["name"] += f"_alpha{alpha:g}"
        cases[-1]["name"] += f"_alpha{alpha:g}"
    ops["elu"] = cases
    # Cortex's gelu is the exact one, x * Phi(x) (torch's default, approximate="none").
    ops["gelu"] = unary("gelu", F.gelu, lambda r, s: r.n(*s, scale=2.0))[1]
    for op, fn in (("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)):
        r = Rand(op)
        cases = [
            run_case(r, f"{name}_axis{ax}", lambda x, ax=ax: fn(x, ax), [r.n(*s, scale=2.0)], {"axis": ax})
            for name, s, ax in (("s35", [3, 5], 1), ("s35", [3, 5], 0), ("s234", [2, 3, 4], 1), ("s234", [2, 3, 4], -1), ("s6", [6], 0))
        ]
        cases.append(run_case(r, "stability_1e4_axis1", lambda x: fn(x, 1), [stab_2d()], {"axis": 1}))
        cases.append(run_case(r, "stability_1e4_axis0", lambda x: fn(x, 0), [stab_2d()], {"axis": 0}))
        ops[op] = cases
    return ops


RED_AXES = [(None, False), (0, False), (1, True), (-1, False), ([0, 2], False), ([0, 2], True)]


def ax_name(axis, keep):
    a = "all" if axis is None else ("axes" + "".join(map(str, axis)) if isinstance(axis, list) else f"axis{axis}")
    return a + ("_keep" if keep else "")


def torch_reduce(fn, x, axis, keep, **kw):
    if axis is None:
        out = fn(x, dim=list(range(x.dim())), keepdim=keep, **kw) if kw or keep else fn(x)
    else:
        out = fn(x, dim=axis, keepdim=keep, **kw)
    return out


def reduction_ops():
    ops = {}
    for op, fn in (("sum", torch.sum), ("mean", torch.mean)):
        r = Rand(op)
        cases = [run_case(r, ax_name(a, k), lambda x, a=a, k=k: torch_reduce(fn, x, a, k), [r.n(2, 3, 4)],
                          {"axis": a, "keepDims": k}) for a, k in RED_AXES]
        cases.append(run_case(r, "s6_axis0", lambda x: fn(x, 0), [r.n(6)], {"axis": 0, "keepDims": False}))
        ops[op] = cases
    for op, fn in (("max", torch.amax), ("min", torch.amin)):
        r = Rand(op)
        cases = [run_case(r, ax_name(a, k), lambda x, a=a, k=k: fn(x, dim=list(range(x.dim())) if a is None else a, keepdim=k),
                          [r.n(2, 3, 4)], {"axis": a, "keepDims": k}) for a, k in RED_AXES]
        ops[op] = cases
    for op, fn in (("argmax", torch.argmax), ("argmin", torch.argmin)):
        r = Rand(op)
        ties = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.0, -1.0, 0.0]], dtype=D)
        ops[op] = [
            run_case(r, "all", lambda x: fn(x), [r.n(3, 4)], {"axis": None, "keepDims": False}),
            run_case(r, "axis1", lambda x: fn(x, 1), [r.n(2, 3, 4)], {"axis": 1, "keepDims": False}),
            run_case(r, "axis-1_keep", lambda x: fn(x, -1, True), [r.n(2, 3, 4)], {"axis": -1, "keepDims": True}),
            run_case(r, "axis0", lambda x: fn(x, 0), [r.n(4, 3)], {"axis": 0, "keepDims": False}),
            run_case(r, "ties_axis1", lambda x: fn(x, 1), [ties], {"axis": 1, "keepDims": False}),
        ]
    r = Rand("logSumExp")
    lse = lambda x, a, k: torch.logsumexp(x, list(range(x.dim())) if a is None else a, k)
    cases = [run_case(r, ax_name(a, k), lambda x, a=a, k=k: lse(x, a, k), [r.n(2, 3, 4, scale=2.0)],
                      {"axis": a, "keepDims": k}) for a, k in RED_AXES]
    cases.append(run_case(r, "stability_1e4_axis1", lambda x: lse(x, 1, False), [stab_2d()], {"axis": 1, "keepDims": False}))
    cases.append(run_case(r, "stability_1e4_all", lambda x: lse(x, None, False), [stab_2d()], {"axis": None, "keepDims": False}))
    ops["logSumExp"] = cases
    for op, fn in (("variance", torch.var), ("std", torch.std)):
        r = Rand(op)
        spec = [(None, False, 1), (None, False, 0), (1, False, 0), (1, True, 1), (-1, False, 2), ([0, 2], True, 1), ([0, 2], False, 0)]
        ops[op] = [
            run_case(r, f"{ax_name(a, k)}_corr{c}", lambda x, a=a, k=k, c=c: fn(x, dim=a, correction=c, keepdim=k),
                     [r.n(2, 3, 4)], {"axis": a, "keepDims": k, "correction": c}) for a, k, c in spec
        ]
    return ops


def matmul_ops():
    r = Rand("matmul")
    shapes = [("2d", [3, 4], [4, 5]), ("2d_1x1", [1, 6], [6, 1]), ("batched", [2, 3, 4], [2, 4, 5]),
              ("batch_lhs", [2, 3, 4], [4, 5]), ("batch_rhs", [3, 4], [2, 4, 2]),
              ("broadcast_batch", [2, 1, 3, 4], [3, 4, 5]), ("broadcast_batch_ones", [1, 3, 4], [2, 4, 2]),
              ("vec_vec", [4], [4]), ("mat_vec", [3, 4], [4]), ("vec_mat", [4], [4, 3]), ("batch_vec", [2, 3, 4], [4]),
              ("vec_batch", [4], [2, 4, 3])]
    ops = {"matmul": [run_case(r, n, torch.matmul, [r.n(*a), r.n(*b)]) for n, a, b in shapes]}
    r = Rand("linear")
    ops["linear"] = [run_case(r, "bias", F.linear, [r.n(3, 4), r.n(5, 4), r.n(5)]),
                     run_case(r, "no_bias", F.linear, [r.n(3, 4), r.n(2, 4)]),
                     run_case(r, "batched_bias", F.linear, [r.n(2, 3, 4), r.n(5, 4), r.n(5)]),
                     run_case(r, "vector_input", F.linear, [r.n(4), r.n(3, 4), r.n(3)]),
                     run_case(r, "zero_in_features", F.linear, [r.n(2, 2, 0), r.n(3, 0), r.n(3)])]
    ops["matmul"].append(run_case(r, "empty_inner", torch.matmul, [r.n(2, 0), r.n(0, 3)]))
    return ops


def movement_ops():
    ops = {}
    r = Rand("reshape")
    ops["reshape"] = [run_case(r, n, lambda x, s=s: x.reshape(s), [r.n(*a)], {"shape": s})
                      for n, a, s in (("to2d", [2, 3, 4], [6, 4]), ("infer", [2, 3, 4], [4, -1]), ("to1d", [3, 4], [12]),
                                      ("from_scalar", [], [1, 1]))]
    r = Rand("flatten")
    ops["flatten"] = [run_case(r, n, lambda x, a=a, b=b: torch.flatten(x, a, b), [r.n(2, 3, 4, 2)], {"startDim": a, "endDim": b})
                      for n, a, b in (("all", 0, -1), ("from1", 1, -1), ("mid", 1, 2))]
    r = Rand("transpose")
    ops["transpose"] = [run_case(r, n, lambda x, a=a, b=b: torch.transpose(x, a, b), [r.n(*s)], {"dim0": a, "dim1": b})
                        for n, s, a, b in (("2d", [3, 4], 0, 1), ("3d_02", [2, 3, 4], 0, 2), ("3d_neg", [2, 3, 4], -1, -2))]
    r = Rand("permute")
    ops["permute"] = [run_case(r, n, lambda x, p=p: x.permute(p), [r.n(*s)], {"dims": p})
                      for n, s, p in (("2d", [3, 4], [1, 0]), ("3d", [2, 3, 4], [2, 0, 1]), ("4d", [2, 1, 3, 2], [3, 1, 0, 2]))]
    for op in ("expand", "broadcastTo"):
        r = Rand(op)
        ops[op] = [run_case(r, n, lambda x, s=s: x.expand(s), [r.n(*a)], {"shape": s})
                   for n, a, s in (("col", [3, 1], [3, 4]), ("new_axes", [1, 3], [2, 2, 3]), ("scalar", [], [2, 3]), ("vec", [4], [3, 4]))]
    r = Rand("squeeze")
    ops["squeeze"] = [run_case(r, n, (lambda x: x.squeeze()) if a is None else (lambda x, a=a: x.squeeze(a)), [r.n(*s)], {"axis": a})
                      for n, s, a in (("all", [1, 3, 1, 2], None), ("axis0", [1, 3, 1, 2], 0), ("axis_neg", [1, 3, 1, 2], -2))]
    r = Rand("unsqueeze")
    ops["unsqueeze"] = [run_case(r, n, lambda x, a=a: x.unsqueeze(a), [r.n(*s)], {"axis": a})
                        for n, s, a in (("front", [3, 4], 0), ("mid", [3, 4], 1), ("end_neg", [3, 4], -1), ("scalar", [], 0))]
    r = Rand("slice")
    ops["slice"] = [run_case(r, n, lambda x, b=b, z=z: x[tuple(slice(i, i + k) for i, k in zip(b, z))], [r.n(*s)], {"begin": b, "size": z})
                    for n, s, b, z in (("2d", [4, 5], [1, 2], [2, 3]), ("3d", [2, 4, 3], [0, 1, 1], [2, 3, 1]), ("1d", [6], [2], [3]))]
    r = Rand("narrow")
    ops["narrow"] = [run_case(r, n, lambda x, a=a, st=st, ln=ln: x.narrow(a, st, ln), [r.n(*s)], {"axis": a, "start": st, "length": ln})
                     for n, s, a, st, ln in (("axis0", [5, 3], 0, 1, 3), ("axis_neg", [2, 3, 6], -1, 2, 2))]
    r = Rand("concat")
    ops["concat"] = [run_case(r, n, lambda *xs, a=a: torch.cat(xs, a), [r.n(*s) for s in ss], {"axis": a})
                     for n, ss, a in (("axis0", [[2, 3], [1, 3], [3, 3]], 0), ("axis1", [[2, 1, 4], [2, 3, 4]], 1), ("axis_neg", [[2, 2], [2, 3]], -1))]
    r = Rand("stack")
    ops["stack"] = [run_case(r, n, lambda *xs, a=a: torch.stack(xs, a), [r.n(*s) for _ in range(k)], {"axis": a})
                    for n, s, k, a in (("axis0", [2, 3], 3, 0), ("axis1", [2, 3], 2, 1), ("axis_neg", [2, 3], 2, -1))]
    r = Rand("split")
    ops["split"] = [run_case(r, n, lambda x, sp=sp, a=a: torch.split(x, sp, a), [r.n(*s)], {"split": sp, "axis": a})
                    for n, s, sp, a in (("sizes_axis0", [6, 2], [1, 2, 3], 0), ("size_axis1", [2, 7, 2], 3, 1), ("sizes_neg", [2, 5], [4, 1], -1))]
    r = Rand("pad")

    def pad(x, pads, value):
        flat = [p for pair in reversed(pads) for p in pair]
        return F.pad(x, flat, value=value)

    ops["pad"] = [run_case(r, n, lambda x, p=p, v=v: pad(x, p, v), [r.n(*s)], {"pads": p, "value": v})
                  for n, s, p, v in (("2d", [2, 3], [[1, 0], [2, 1]], 0.0), ("3d_value", [2, 2, 3], [[0, 0], [1, 1], [0, 2]], -1.5), ("1d", [4], [[3, 2]], 0.0))]
    return ops


def index_ops():
    ops = {}
    r = Rand("gather")
    ops["gather"] = [run_case(r, n, lambda x, i, a=a: torch.gather(x, a, i), [r.n(*s), r.i(0, s[a], *ish)], {"axis": a})
                     for n, s, ish, a in (("axis1", [3, 4], [3, 2], 1), ("axis0", [3, 4], [5, 4], 0), ("3d_axis2", [2, 3, 4], [2, 3, 6], 2), ("axis_neg", [3, 5], [3, 3], -1))]
    r = Rand("indexSelect")
    ops["indexSelect"] = [run_case(r, n, lambda x, i, a=a: torch.index_select(x, a, i), [r.n(*s), torch.tensor(idx)], {"axis": a})
                          for n, s, idx, a in (("axis0", [4, 3], [0, 2, 2, 3], 0), ("axis1", [2, 5, 2], [4, 0, 4, 1, 4], 1), ("axis_neg", [3, 4], [3, 1], -1))]
    r = Rand("oneHot")
    ops["oneHot"] = [run_case(r, n, lambda i, c=c: F.one_hot(i, c), [torch.tensor(idx)], {"numClasses": c})
                     for n, idx, c in (("1d", [0, 3, 1, 3, 2], 4), ("2d", [[4, 0, 2], [1, 1, 3]], 5))]
    return ops


def creation_ops():
    r = Rand("creation")
    ops = {"arange": [run_case(r, n, lambda a=a: torch.arange(*a, dtype=D), [], {"args": list(a)})
                      for n, a in (("stop", (5,)), ("start_stop", (2, 7)), ("step", (1, 2, 0.25)), ("negative_step", (5, 0, -1.5)))],
           "linspace": [run_case(r, n, lambda a=a: torch.linspace(*a, dtype=D), [], {"start": a[0], "stop": a[1], "num": a[2]})
                        for n, a in (("unit", (0, 1, 5)), ("neg", (-2, 3, 7)), ("one", (1.5, 4, 1)))],
           "eye": [run_case(r, n, lambda a=a: torch.eye(*a, dtype=D), [], {"n": a[0], "m": a[1] if len(a) > 1 else None})
                   for n, a in (("square", (3,)), ("wide", (2, 4)), ("tall", (4, 2)))]}
    return ops


def loss_ops():
    ops = {}
    R = ("mean", "sum", "none")
    r = Rand("losses")
    for op, fn in (("mseLoss", F.mse_loss), ("l1Loss", F.l1_loss)):
        ops[op] = [run_case(r, f"{red}_{''.join(map(str, s))}", lambda x, y, red=red: fn(x, y, reduction=red), [r.n(*s), r.n(*s)],
                            {"reduction": red}) for red in R for s in ([4, 3], [5])]
    ops["huberLoss"] = [run_case(r, f"{red}_delta{d:g}", lambda x, y, red=red, d=d: F.huber_loss(x, y, reduction=red, delta=d),
                                 [r.n(4, 3, scale=2.0), r.n(4, 3, scale=2.0)], {"reduction": red, "delta": d}) for red in R for d in (1.0, 0.5)]
    ops["smoothL1Loss"] = [run_case(r, f"{red}_beta{b:g}", lambda x, y, red=red, b=b: F.smooth_l1_loss(x, y, reduction=red, beta=b),
                                    [r.n(4, 3, scale=2.0), r.n(4, 3, scale=2.0)], {"reduction": red, "beta": b}) for red in R for b in (1.0, 0.5)]
    ops["binaryCrossEntropy"] = [run_case(r, red, lambda p, t, red=red: F.binary_cross_entropy(p, t, reduction=red),
                                          [r.u(0.02, 0.98, 4, 3), r.u(0.0, 1.0, 4, 3)], {"reduction": red}, (1,)) for red in R]
    for red in R:
        t = r.i(0, 2, 4, 3).double()
        ops["binaryCrossEntropy"].append(run_case(r, f"{red}_hard_targets", lambda p, t, red=red: F.binary_cross_entropy(p, t, reduction=red),
                                                  [r.u(0.02, 0.98, 4, 3), t], {"reduction": red}, (1,)))
    bcel = lambda red: (lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction=red))
    ops["binaryCrossEntropyWithLogits"] = [run_case(r, red, bcel(red), [r.n(4, 3, scale=3.0), r.u(0.0, 1.0, 4, 3)], {"reduction": red}, (1,)) for red in R]
    stab = torch.tensor([[-1e4, 1e4, 0.0], [1e4, -1e4, 30.0]], dtype=D)
    ops["binaryCrossEntropyWithLogits"] += [run_case(r, f"{red}_stability_1e4", bcel(red), [stab, torch.tensor([[1.0, 0.0, 0.5], [1.0, 0.0, 1.0]], dtype=D)],
                                                     {"reduction": red}, (1,)) for red in R]
    ce = []
    for red in R:
        ce.append(run_case(r, f"{red}_int_targets", lambda z, t, red=red: F.cross_entropy(z, t, reduction=red), [r.n(5, 4, scale=2.0), r.i(0, 4, 5)], {"reduction": red}))
        ce.append(run_case(r, f"{red}_prob_targets", lambda z, t, red=red: F.cross_entropy(z, t, reduction=red),
                           [r.n(5, 4, scale=2.0), torch.softmax(r.n(5, 4), 1).float().double()], {"reduction": red}, (1,)))
        ce.append(run_case(r, f"{red}_label_smoothing", lambda z, t, red=red: F.cross_entropy(z, t, reduction=red, label_smoothing=0.1),
                           [r.n(5, 4, scale=2.0), r.i(0, 4, 5)], {"reduction": red, "labelSmoothing": 0.1}))
    ce.append(run_case(r, "mean_stability_1e4", lambda z, t: F.cross_entropy(z, t), [stab_2d(), torch.tensor([0, 3, 1])], {"reduction": "mean"}))
    ops["crossEntropy"] = ce
    ops["nllLoss"] = [run_case(r, red, lambda z, t, red=red: F.nll_loss(z, t, reduction=red),
                               [torch.log_softmax(r.n(5, 4), 1).float().double(), r.i(0, 4, 5)], {"reduction": red}) for red in R]
    return ops


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


def main():
    torch.set_grad_enabled(True)
    os.makedirs(OUT, exist_ok=True)
    ops = {}
    for group in (elementwise_ops, activation_ops, reduction_ops, matmul_ops, movement_ops, index_ops, creation_ops):
        ops.update(group())
    for op, cases in ops.items():
        write(os.path.join(OUT, f"{op}.json"), {"op": op, "cases": cases})
    losses = loss_ops()
    write(os.path.join(OUT, "losses.json"), {"ops": [{"op": k, "cases": v} for k, v in losses.items()]})
    n = sum(len(c) for c in ops.values())
    print(f"wrote {len(ops)} ops ({n} cases) and {len(losses)} losses to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
