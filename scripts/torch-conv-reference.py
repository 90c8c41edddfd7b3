#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the convolutions: test/fixtures/torch/conv.json.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-conv-reference.py

The format is that of scripts/torch-reference.py (see its docstring), with one op
"conv" whose cases say which function they call in args["kind"] (conv1d, conv2d or
convTranspose2d) beside its options (stride, padding, dilation, groups, outputPadding,
in Cortex's spelling). Inputs are float32-representable, outputs and the gradients of
sum(y * w) for a fixed random w are computed in float64. Seeded: the output is
deterministic, so the op conformance suite on every backend compares against it.
"""

import importlib.util
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("torch_reference", os.path.join(HERE, "torch-reference.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

# (name, kind, x shape, weight shape, bias?, options)
CASES = [
    ("c1_basic", "conv1d", (2, 3, 7), (4, 3, 3), True, {}),
    ("c1_stride2_pad1_dil2", "conv1d", (2, 2, 9), (3, 2, 3), True, {"stride": 2, "padding": 1, "dilation": 2}),
    ("c1_same_even_groups2", "conv1d", (1, 4, 6), (6, 2, 4), False, {"padding": "same", "groups": 2}),
    ("c2_basic", "conv2d", (2, 3, 5, 6), (4, 3, 3, 3), True, {}),
    ("c2_stride_pad_pairs", "conv2d", (2, 2, 7, 6), (3, 2, 3, 2), True, {"stride": [2, 1], "padding": [1, 2]}),
    ("c2_dilation2_stride2", "conv2d", (1, 3, 9, 8), (2, 3, 3, 3), True, {"stride": 2, "padding": 2, "dilation": [2, 3]}),
    ("c2_same_even_dilated", "conv2d", (2, 2, 6, 5), (3, 2, 4, 2), True, {"padding": "same", "dilation": [1, 2]}),
    ("c2_valid", "conv2d", (1, 2, 5, 5), (2, 2, 5, 3), True, {"padding": "valid"}),
    ("c2_groups2", "conv2d", (2, 4, 5, 5), (6, 2, 3, 3), True, {"padding": 1, "groups": 2}),
    ("c2_depthwise", "conv2d", (2, 3, 6, 6), (6, 1, 3, 3), True, {"stride": 2, "padding": 1, "groups": 3}),
    ("c2_no_bias_1x1", "conv2d", (3, 4, 3, 4), (5, 4, 1, 1), False, {}),
    ("ct2_basic", "convTranspose2d", (2, 3, 4, 4), (3, 2, 3, 3), True, {}),
    ("ct2_stride2_pad1_outpad1", "convTranspose2d", (2, 2, 3, 4), (2, 3, 3, 3), True,
     {"stride": 2, "padding": 1, "outputPadding": 1}),
    ("ct2_groups2_dilation2", "convTranspose2d", (1, 4, 3, 3), (4, 2, 2, 3), True, {"groups": 2, "dilation": 2, "padding": [1, 0]}),
    ("ct2_pairs_no_bias", "convTranspose2d", (2, 2, 3, 2), (2, 2, 3, 2), False,
     {"stride": [2, 3], "padding": [0, 1], "outputPadding": [1, 2]}),
]


def call(kind, opts):
    """The torch function for a case, its options in torch's spelling."""
    def tup(v):
        return tuple(v) if isinstance(v, list) else v
    kw = {"stride": tup(opts.get("stride", 1)), "padding": tup(opts.get("padding", 0)),
          "dilation": tup(opts.get("dilation", 1)), "groups": opts.get("groups", 1)}
    if kind == "convTranspose2d":
        kw["output_padding"] = tup(opts.get("outputPadding", 0))
        return lambda x, w, b=None: F.conv_transpose2d(x, w, b, **kw)
    fn = F.conv1d if kind == "conv1d" else F.conv2d
    return lambda x, w, b=None: fn(x, w, b, **kw)


def main():
    torch.set_grad_enabled(True)
    r = ref.Rand("conv")
    cases = []
    for name, kind, xs, ws, bias, opts in CASES:
        out_ch = ws[1] * opts.get("groups", 1) if kind == "convTranspose2d" else ws[0]
        inputs = [r.n(*xs), r.n(*ws, scale=0.5)] + ([r.n(out_ch)] if bias else [])
        cases.append(ref.run_case(r, name, call(kind, opts), inputs, {"kind": kind, **opts}))
    path = os.path.join(ref.OUT, "conv.json")
    ref.write(path, {"op": "conv", "cases": cases})
    print(f"wrote {len(cases)} convolution cases to {os.path.relpath(path, ref.ROOT)}")


if __name__ == "__main__":
    main()
