#!/usr/bin/python3
"""Writes the PyTorch reference values of second derivatives that Cortex's
higher-order autograd (grad with createGraph) is tested against.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-grad-reference.py

It rewrites test/fixtures/torch/second-order.json. Everything is computed in
float64 from inputs drawn by a torch.Generator seeded per case (CRC-32 of the
case name), and written with 17 significant digits so float64 values round-trip.

JSON format
  { "cases": [
      { "name": "tanh", "kind": "...", "args": {...},
        "inputs": {"x": {"shape": [...], "data": [...]}, ...},
        "expected": {"name": {"shape": [...], "data": [...]}, ...} } ] }
  (no top-level "op", so the single-op conformance suite does not pick it up)

Kinds
  * "elementwise2": expected.d2 = d^2/dx^2 of f elementwise, i.e.
    grad(grad(f(x).sum(), x, create_graph=True)[0].sum(), x).
  * "doubleBackward": for y = f(x) with upstream w and a direction u,
    expected.g1 = grad((y*w).sum(), x) and expected.g2 = grad((g1*u).sum(), x),
    with g1 taken with create_graph=True.
  * "mlpHvp": a two-layer MLP with mean softmax cross-entropy loss L over
    (x, labels); expected.L, expected.grads (one per parameter) and expected.hvp
    (one per parameter) = the Hessian of L in the parameters times the vector
    v = (v_w1, v_b1, v_w2, v_b2): grad((grads . v).sum(), params).
"""

import json
import math
import os
import zlib

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "torch", "second-order.json")
D = torch.float64


def num(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return float(f"{v:.17g}")


def enc(t):
    t = t.detach()
    out = {"shape": list(t.shape), "data": [num(v) for v in t.reshape(-1).tolist()]}
    if t.dtype in (torch.int32, torch.int64):
        out["dtype"] = "int32"
        out["data"] = [int(v) for v in t.reshape(-1).tolist()]
    return out


def gen(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def randn(g, *shape, scale=1.0):
    return (torch.randn(*shape, generator=g, dtype=D) * scale)


CASES = []

ELEMENTWISE = {
    "tanh": (lambda x: torch.tanh(x), {}),
    "sigmoid": (lambda x: torch.sigmoid(x), {}),
    "softplus": (lambda x: F.softplus(x), {}),
    "gelu": (lambda x: F.gelu(x), {}),
    "elu": (lambda x: F.elu(x, alpha=0.8), {"alpha": 0.8}),
    "exp": (lambda x: torch.exp(x), {}),
    "log": (lambda x: torch.log(x.abs() + 0.5), {}),
    "sqrt": (lambda x: torch.sqrt(x.abs() + 0.5), {}),
    "pow3": (lambda x: x ** 3, {}),
    "rpow": (lambda x: 2.0 ** x, {}),
}

for name, (f, args) in ELEMENTWISE.items():
    g = gen("elementwise2/" + name)
    x = randn(g, 2, 5, scale=2.0).requires_grad_(True)
    (d1,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x)
    CASES.append({"name": name, "kind": "elementwise2", "args": args,
                  "inputs": {"x": enc(x)}, "expected": {"d1": enc(d1), "d2": enc(d2)}})

DOUBLE = {
    "softmax": lambda x, t: torch.softmax(x, dim=1),
    "logSoftmax": lambda x, t: torch.log_softmax(x, dim=1),
    "softmaxCrossEntropy": lambda x, t: F.cross_entropy(x, t, reduction="none"),
    "logSumExp": lambda x, t: torch.logsumexp(x, dim=1),
    "layerNorm": lambda x, t: (x - x.mean(1, keepdim=True)) / (x.var(1, unbiased=False, keepdim=True) + 1e-5).sqrt(),
}

for name, f in DOUBLE.items():
    g = gen("doubleBackward/" + name)
    x = randn(g, 3, 4, scale=1.5).requires_grad_(True)
    t = torch.randint(0, 4, (3,), generator=g)
    y = f(x, t)
    w = randn(g, *y.shape)
    u = randn(g, *x.shape)
    (g1,) = torch.autograd.grad((y * w).sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad((g1 * u).sum(), x)
    CASES.append({"name": name, "kind": "doubleBackward", "args": {},
                  "inputs": {"x": enc(x), "labels": enc(t.to(torch.int32)), "w": enc(w), "u": enc(u)},
                  "expected": {"y": enc(y), "g1": enc(g1), "g2": enc(g2)}})

for act in ["tanh", "sigmoid", "relu", "gelu"]:
    name = "mlp-" + act
    g = gen("mlpHvp/" + name)
    x = randn(g, 6, 3)
    t = torch.randint(0, 4, (6,), generator=g)
    w1 = randn(g, 5, 3, scale=0.7).requires_grad_(True)
    b1 = randn(g, 5, scale=0.3).requires_grad_(True)
    w2 = randn(g, 4, 5, scale=0.7).requires_grad_(True)
    b2 = randn(g, 4, scale=0.3).requires_grad_(True)
    params = [w1, b1, w2, b2]
    vs = [randn(g, *p.shape) for p in params]
    fn = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "gelu": F.gelu}[act]
    h = fn(F.linear(x, w1, b1))
    loss = F.cross_entropy(F.linear(h, w2, b2), t)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    dot = sum((gr * v).sum() for gr, v in zip(grads, vs))
    hvp = torch.autograd.grad(dot, params)
    CASES.append({"name": name, "kind": "mlpHvp", "args": {"activation": act},
                  "inputs": {"x": enc(x), "labels": enc(t.to(torch.int32)),
                             "w1": enc(w1), "b1": enc(b1), "w2": enc(w2), "b2": enc(b2),
                             "v_w1": enc(vs[0]), "v_b1": enc(vs[1]), "v_w2": enc(vs[2]), "v_b2": enc(vs[3])},
                  "expected": {"loss": enc(loss), "g_w1": enc(grads[0]), "g_b1": enc(grads[1]),
                               "g_w2": enc(grads[2]), "g_b2": enc(grads[3]),
                               "hvp_w1": enc(hvp[0]), "hvp_b1": enc(hvp[1]),
                               "hvp_w2": enc(hvp[2]), "hvp_b2": enc(hvp[3])}})

with open(OUT, "w") as fh:
    json.dump({"cases": CASES}, fh, separators=(",", ":"))
    fh.write("\n")
print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)}")
