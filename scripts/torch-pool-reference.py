#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of pooling and 2-D normalisation.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-pool-reference.py

It writes, in the format of scripts/torch-reference.py (same helpers, same seeding by
the CRC-32 of the op name, outputs and gradients of sum(out * w) computed in float64):

  * test/fixtures/torch/<op>.json for the ops maxPool1d, maxPool2d, avgPool2d,
    adaptiveAvgPool2d, batchNorm2d (functional, batch statistics) and groupNorm; the
    op conformance suite runs these on every backend and thread count;
  * test/fixtures/torch/pool.json: layer sequences that a single op case cannot hold,
    { "batchNorm2d": [ {"name", "momentum", "affine", "steps": [ {"input", "output",
    "runningMean", "runningVar"} ... ], "eval": {"input", "output"},
    "grad": {"w", "input", "weight", "bias"} } ] }: a BatchNorm2d layer trained on
    three batches, its running statistics after each, then one evaluation batch, and
    the gradients of the first step for the upstream "w"; "momentum" null is PyTorch's
    momentum=None (the cumulative average).
"""

import importlib.util
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("torch_reference", os.path.join(HERE, "torch-reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)
Rand, run_case, enc, write, OUT, ROOT = ref.Rand, ref.run_case, ref.enc, ref.write, ref.OUT, ref.ROOT
D = torch.float64


def max_pool2d_cases():
    r = Rand("maxPool2d")
    cfgs = [
        ("k2", [2, 3, 6, 6], dict(kernelSize=2)),
        ("k3_s2_p1", [2, 2, 7, 7], dict(kernelSize=3, stride=2, padding=1)),
        ("k3_s2_ceil", [1, 2, 8, 8], dict(kernelSize=3, stride=2, ceilMode=True)),
        ("k3_s2_p1_ceil", [1, 1, 6, 6], dict(kernelSize=3, stride=2, padding=1, ceilMode=True)),
        ("k23_s12_p11_d21", [2, 2, 6, 7], dict(kernelSize=[2, 3], stride=[1, 2], padding=[1, 1], dilation=[2, 1])),
        ("unbatched_k2_s1", [3, 5, 5], dict(kernelSize=2, stride=1)),
    ]
    out = []
    for name, shape, a in cfgs:
        fn = lambda x, a=a: F.max_pool2d(x, a["kernelSize"], a.get("stride"), a.get("padding", 0), a.get("dilation", 1),
                                         ceil_mode=a.get("ceilMode", False))
        out.append(run_case(r, name, fn, [r.n(*shape)], a))
    return out


def max_pool1d_cases():
    r = Rand("maxPool1d")
    cfgs = [
        ("k2", [2, 3, 8], dict(kernelSize=2)),
        ("k3_s2_p1_ceil", [2, 2, 9], dict(kernelSize=3, stride=2, padding=1, ceilMode=True)),
        ("k2_s1_d2", [1, 2, 7], dict(kernelSize=2, stride=1, dilation=2)),
        ("unbatched_k3_s1_p1", [3, 6], dict(kernelSize=3, stride=1, padding=1)),
    ]
    out = []
    for name, shape, a in cfgs:
        fn = lambda x, a=a: F.max_pool1d(x, a["kernelSize"], a.get("stride"), a.get("padding", 0), a.get("dilation", 1),
                                         ceil_mode=a.get("ceilMode", False))
        out.append(run_case(r, name, fn, [r.n(*shape)], a))
    return out


def avg_pool2d_cases():
    r = Rand("avgPool2d")
    cfgs = [
        ("k2", [2, 3, 6, 6], dict(kernelSize=2)),
        ("k3_s2_p1", [2, 2, 7, 7], dict(kernelSize=3, stride=2, padding=1)),
        ("k3_s2_p1_nopad", [2, 2, 7, 7], dict(kernelSize=3, stride=2, padding=1, countIncludePad=False)),
        ("k3_s2_p1_ceil", [1, 2, 6, 6], dict(kernelSize=3, stride=2, padding=1, ceilMode=True)),
        ("k3_s2_p1_ceil_nopad", [1, 2, 6, 6], dict(kernelSize=3, stride=2, padding=1, ceilMode=True, countIncludePad=False)),
        ("k3_s1_p1_div5", [1, 2, 5, 5], dict(kernelSize=3, stride=1, padding=1, divisorOverride=5)),
        ("unbatched_k23_s12", [2, 5, 5], dict(kernelSize=[2, 3], stride=[1, 2])),
    ]
    out = []
    for name, shape, a in cfgs:
        fn = lambda x, a=a: F.avg_pool2d(x, a["kernelSize"], a.get("stride"), a.get("padding", 0), a.get("ceilMode", False),
                                         a.get("countIncludePad", True), a.get("divisorOverride"))
        out.append(run_case(r, name, fn, [r.n(*shape)], a))
    return out


def adaptive_cases():
    r = Rand("adaptiveAvgPool2d")
    cfgs = [
        ("global", [2, 3, 7, 7], [1, 1]),
        ("3x3_of_7x7", [2, 2, 7, 7], [3, 3]),
        ("4x5_of_10x9", [1, 2, 10, 9], [4, 5]),
        ("5x5_of_3x3", [1, 1, 3, 3], [5, 5]),
        ("unbatched_2x4_of_5x6", [3, 5, 6], [2, 4]),
    ]
    return [run_case(r, name, lambda x, o=o: F.adaptive_avg_pool2d(x, o), [r.n(*shape)], {"outputSize": o})
            for name, shape, o in cfgs]


def batch_norm2d_cases():
    r = Rand("batchNorm2d")
    out = []
    for name, shape, affine in (("affine_4355", [4, 3, 5, 5], True), ("plain_2423", [2, 4, 2, 3], False)):
        c = shape[1]
        x = (r.n(*shape, scale=2.0) + 0.5).float().double()
        if affine:
            ins = [x, r.n(c), r.n(c)]
            fn = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=1e-5)
        else:
            ins = [x]
            fn = lambda x: F.batch_norm(x, None, None, None, None, training=True, eps=1e-5)
        out.append(run_case(r, name, fn, ins, {"training": True, "eps": 1e-5}))
    # Evaluation with given running statistics (not differentiated).
    x, rm, rv = r.n(2, 3, 4, 4), r.n(3), r.u(0.5, 2.0, 3)
    fn = lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-3)
    out.append(run_case(r, "eval_running_stats", fn, [x, rm, rv, r.n(3), r.n(3)], {"training": False, "eps": 1e-3}, frozen=(1, 2)))
    return out


def group_norm_cases():
    r = Rand("groupNorm")
    out = []
    for name, shape, groups, affine in (("g3_2644", [2, 6, 4, 4], 3, True), ("g2_245_plain", [2, 4, 5], 2, False),
                                        ("g1_1433", [1, 4, 3, 3], 1, True), ("g4_2432", [2, 4, 3, 2], 4, True)):
        c = shape[1]
        x = (r.n(*shape, scale=1.5) - 0.3).float().double()
        if affine:
            fn = lambda x, w, b, g=groups: F.group_norm(x, g, w, b, eps=1e-5)
            ins = [x, r.n(c), r.n(c)]
        else:
            fn = lambda x, g=groups: F.group_norm(x, g, eps=1e-5)
            ins = [x]
        out.append(run_case(r, name, fn, ins, {"numGroups": groups, "eps": 1e-5}))
    return out


def batch_norm2d_layers():
    r = Rand("BatchNorm2d-layer")
    out = []
    for momentum, affine in ((0.1, True), (0.3, False), (None, True)):
        c = 3
        bn = torch.nn.BatchNorm2d(c, momentum=momentum, affine=affine).double()
        if affine:
            with torch.no_grad():
                bn.weight.copy_(r.n(c))
                bn.bias.copy_(r.n(c))
        bn.train()
        steps = []
        grad = None
        for step in range(3):
            x = (r.n(4, c, 3, 5, scale=1.5) + step).float().double().requires_grad_(True)
            y = bn(x)
            if step == 0:
                w = r.n(*y.shape)
                (y * w).sum().backward()
                grad = {"w": enc(w), "input": enc(x.grad)}
                if affine:
                    grad["weight"] = enc(bn.weight.grad)
                    grad["bias"] = enc(bn.bias.grad)
            steps.append({"input": enc(x), "output": enc(y), "runningMean": enc(bn.running_mean),
                          "runningVar": enc(bn.running_var)})
        bn.eval()
        xe = r.n(2, c, 3, 3)
        ev = {"input": enc(xe), "output": enc(bn(xe))}
        case = {"name": f"momentum_{momentum}_affine_{affine}", "momentum": momentum, "affine": affine,
                "steps": steps, "eval": ev, "grad": grad}
        if affine:
            case["weight"] = enc(bn.weight)
            case["bias"] = enc(bn.bias)
        out.append(case)
    return out


def main():
    torch.set_grad_enabled(True)
    ops = {
        "maxPool2d": max_pool2d_cases(),
        "maxPool1d": max_pool1d_cases(),
        "avgPool2d": avg_pool2d_cases(),
        "adaptiveAvgPool2d": adaptive_cases(),
        "batchNorm2d": batch_norm2d_cases(),
        "groupNorm": group_norm_cases(),
    }
    for op, cases in ops.items():
        write(os.path.join(OUT, f"{op}.json"), {"op": op, "cases": cases})
    write(os.path.join(OUT, "pool.json"), {"batchNorm2d": batch_norm2d_layers()})
    n = sum(len(c) for c in ops.values())
    print(f"wrote {len(ops)} ops ({n} cases) and pool.json to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
