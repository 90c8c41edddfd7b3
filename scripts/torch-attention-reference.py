#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of attention: test/fixtures/torch/attention.json.

Run from the repository root with Debian's Python (python3-torch 1.13):

    /usr/bin/python3 scripts/torch-attention-reference.py

Three groups of cases, all in float64 with float32-representable inputs and weights:

- "sdpa": scaled dot-product attention written out in torch (1.13 has no
  F.scaled_dot_product_attention), with PyTorch 2.x's semantics: a bool mask
  is True where a query may attend, a float mask is added, is_causal keeps the
  lower triangle. Output and the gradients of sum(out * w) w.r.t. q, k, v.
- "mha": nn.MultiheadAttention in eval mode (no dropout) with its weights set
  to seeded random values: output, weights, and the gradients of
  sum(out * w) + sum(weights * w2) w.r.t. the inputs and every parameter.
- "encoder": nn.TransformerEncoderLayer / nn.TransformerEncoder likewise,
  the gradients of sum(out * w).

Masks are stored as int32 0/1 (bool) or floats, with what they mean in "maskKind".
Seeded: the output is deterministic.
"""

import importlib.util
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("torch_reference", os.path.join(HERE, "torch-reference.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
enc = ref.enc
D = torch.float64


def sdpa(q, k, v, mask=None, is_causal=False, scale=None):
    """PyTorch 2.x's scaled_dot_product_attention, by hand."""
    L, S = q.shape[-2], k.shape[-2]
    s = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / q.shape[-1] ** 0.5)
    if is_causal:
        s = s.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else s + mask
    return torch.softmax(s, -1) @ v


def sdpa_cases():
    r = ref.Rand("sdpa")
    cases = []
    # (name, q shape, k shape, v shape, mask shape or None, mask kind, causal, scale)
    specs = [
        ("plain_4d", (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), None, None, False, None),
        ("causal_square", (2, 2, 5, 4), (2, 2, 5, 4), (2, 2, 5, 4), None, None, True, None),
        ("causal_l_lt_s_scale", (3, 3, 4), (3, 5, 4), (3, 5, 2), None, None, True, 0.3),
        ("bool_mask_padding", (2, 2, 4, 6), (2, 2, 5, 6), (2, 2, 5, 6), (2, 1, 1, 5), "bool", False, None),
        ("float_mask_broadcast", (2, 2, 4, 6), (2, 2, 5, 6), (2, 2, 5, 3), (4, 5), "float", False, None),
        ("bool_mask_and_causal", (2, 4, 3), (2, 4, 3), (2, 4, 3), (2, 4, 4), "bool", True, None),
    ]
    for name, qs, ks, vs, ms, kind, causal, scale in specs:
        q, k, v = r.n(*qs), r.n(*ks), r.n(*vs)
        mask = None
        if kind == "bool":
            mask = torch.rand(ms, generator=r.g) > 0.3
            mask[..., 0] = True  # every query row keeps something to attend to
        elif kind == "float":
            mask = r.n(*ms)
        xs = [t.clone().requires_grad_() for t in (q, k, v)]
        out = sdpa(*xs, mask=mask, is_causal=causal, scale=scale)
        w = r.n(*out.shape)
        (out * w).sum().backward()
        c = {"name": name, "q": enc(q), "k": enc(k), "v": enc(v), "isCausal": causal, "scale": scale,
             "maskKind": kind, "out": enc(out), "gradWeight": enc(w),
             "grads": {"q": enc(xs[0].grad), "k": enc(xs[1].grad), "v": enc(xs[2].grad)}}
        if mask is not None:
            c["mask"] = enc(mask.int() if kind == "bool" else mask)
        cases.append(c)
    return cases


def randomize(module, r):
    """Every parameter seeded and float32-representable: LayerNorm weights near 1, the rest small."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(1 + r.n(*p.shape, scale=0.1))
            else:
                p.copy_(r.n(*p.shape, scale=0.3))


def params_of(module):
    return {n: enc(p) for n, p in module.named_parameters()}


def grads_of(module):
    return {n: enc(p.grad) for n, p in module.named_parameters()}


def causal_bool(L):
    """PyTorch MHA's convention: True = may NOT attend."""
    return torch.ones(L, L, dtype=torch.bool).triu(1)


def mha_cases():
    r = ref.Rand("mha")
    cases = []
    # name, config, L, S, N (None: unbatched), self-attention?, masks, forward options
    specs = [
        ("cross_seq_first", dict(embedDim=8, numHeads=2), 4, 5, 2, False, {}, {}),
        ("self_batch_first_padding_causal", dict(embedDim=8, numHeads=4, batchFirst=True), 5, 5, 3, True,
         {"keyPaddingMask": "bool", "attnMask": "causal"}, {"averageAttnWeights": False}),
        # 1.13 merges a float key-padding mask into a float attention mask with masked_fill (2.x adds
        # them, as Cortex does), so each float mask gets a case of its own.
        ("kdim_vdim_float_padding_no_bias", dict(embedDim=6, numHeads=3, kdim=4, vdim=5, bias=False), 3, 4, 2, False,
         {"keyPaddingMask": "float"}, {}),
        ("float_3d_attn_mask_bool_padding", dict(embedDim=6, numHeads=3), 3, 4, 2, False,
         {"keyPaddingMask": "bool", "attnMask": "float3d"}, {"averageAttnWeights": False}),
        ("unbatched_self_is_causal", dict(embedDim=4, numHeads=2), 4, 4, None, True, {"isCausal": True}, {}),
        ("self_seq_first_bool_attn_mask", dict(embedDim=8, numHeads=2), 4, 4, 2, True, {"attnMask": "bool2d"}, {}),
    ]
    for name, cfg, L, S, N, self_attn, masks, fwd in specs:
        E, H = cfg["embedDim"], cfg["numHeads"]
        kd, vd = cfg.get("kdim", E), cfg.get("vdim", E)
        bf = cfg.get("batchFirst", False)
        m = nn.MultiheadAttention(E, H, bias=cfg.get("bias", True), kdim=kd, vdim=vd, batch_first=bf).double().eval()
        randomize(m, r)
        lay = (lambda T, F: (N, T, F) if bf else (T, N, F)) if N is not None else (lambda T, F: (T, F))
        q = r.n(*lay(L, E))
        k = q if self_attn else r.n(*lay(S, kd))
        v = q if self_attn else r.n(*lay(S, vd))
        kw, saved = {}, {}
        if masks.get("keyPaddingMask") == "bool":
            kpm = torch.zeros(N, S, dtype=torch.bool)
            kpm[0, -2:] = True
            kw["key_padding_mask"] = kpm
            saved["keyPaddingMask"] = enc(kpm.int())
        elif masks.get("keyPaddingMask") == "float":
            kpm = r.n(N, S)
            kw["key_padding_mask"] = kpm
            saved["keyPaddingMask"] = enc(kpm)
        am = masks.get("attnMask")
        if am == "causal" or masks.get("isCausal"):
            kw["attn_mask"] = causal_bool(L)
            if am == "causal":
                saved["attnMask"] = enc(causal_bool(L).int())
        elif am == "float3d":
            kw["attn_mask"] = r.n(N * H, L, S)
            saved["attnMask"] = enc(kw["attn_mask"])
        elif am == "bool2d":
            b = torch.rand(L, S, generator=r.g) > 0.6
            b[:, 0] = False
            kw["attn_mask"] = b
            saved["attnMask"] = enc(b.int())
        avg = fwd.get("averageAttnWeights", True)
        xs = [t.clone().requires_grad_() for t in ((q,) if self_attn else (q, k, v))]
        qi, ki, vi = (xs[0], xs[0], xs[0]) if self_attn else xs
        out, weights = m(qi, ki, vi, need_weights=True, average_attn_weights=avg, **kw)
        w, w2 = r.n(*out.shape), r.n(*weights.shape)
        ((out * w).sum() + (weights * w2).sum()).backward()
        cases.append({
            "name": name, "config": cfg, "selfAttention": self_attn, "isCausal": bool(masks.get("isCausal", False)),
            "averageAttnWeights": avg, "masks": saved, "params": params_of(m),
            "query": enc(q), "key": enc(k), "value": enc(v),
            "out": enc(out), "weights": enc(weights), "gradOut": enc(w), "gradWeights": enc(w2),
            "grads": {"inputs": [enc(x.grad) for x in xs], "params": grads_of(m)},
        })
    return cases


def encoder_cases():
    r = ref.Rand("encoder")
    cases = []
    # name, config, layers (None: a single layer), final norm, S, N, masks
    specs = [
        ("post_norm_relu_padding", dict(dModel=8, nhead=2, dimFeedforward=16), None, False, 5, 2, {"padding": True}),
        ("pre_norm_gelu_batch_first_causal", dict(dModel=8, nhead=4, dimFeedforward=12, activation="gelu",
                                                  batchFirst=True, normFirst=True, layerNormEps=1e-6), None, False, 6, 2,
         {"isCausal": True}),
        ("stack2_norm_pre_norm_mask", dict(dModel=6, nhead=2, dimFeedforward=10, batchFirst=True, normFirst=True), 2, True,
         4, 3, {"srcMask": True, "padding": True}),
        ("stack3_post_norm", dict(dModel=4, nhead=1, dimFeedforward=8), 3, False, 3, 2, {}),
    ]
    for name, cfg, layers, final_norm, S, N, masks in specs:
        d = cfg["dModel"]
        bf = cfg.get("batchFirst", False)
        layer = nn.TransformerEncoderLayer(d, cfg["nhead"], dim_feedforward=cfg["dimFeedforward"], dropout=0.1,
                                           activation=cfg.get("activation", "relu"),
                                           layer_norm_eps=cfg.get("layerNormEps", 1e-5), batch_first=bf,
                                           norm_first=cfg.get("normFirst", False))
        if layers is None:
            m = layer
        else:
            m = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d) if final_norm else None,
                                      enable_nested_tensor=False)
        m = m.double().eval()
        randomize(m, r)
        src = r.n(*((N, S, d) if bf else (S, N, d)))
        kw, saved = {}, {}
        if masks.get("padding"):
            kpm = torch.zeros(N, S, dtype=torch.bool)
            kpm[-1, -1] = True
            kw["src_key_padding_mask"] = kpm
            saved["srcKeyPaddingMask"] = enc(kpm.int())
        if masks.get("isCausal"):
            kw["mask"] = causal_bool(S)
        if masks.get("srcMask"):
            sm = r.n(S, S, scale=0.5)
            kw["mask"] = sm
            saved["srcMask"] = enc(sm)
        if layers is None and "mask" in kw:
            kw["src_mask"] = kw.pop("mask")
        x = src.clone().requires_grad_()
        out = m(x, **kw)
        w = r.n(*out.shape)
        (out * w).sum().backward()
        cases.append({
            "name": name, "config": cfg, "numLayers": layers, "finalNorm": final_norm,
            "isCausal": bool(masks.get("isCausal", False)), "masks": saved, "params": params_of(m),
            "src": enc(src), "out": enc(out), "gradOut": enc(w),
            "grads": {"src": enc(x.grad), "params": grads_of(m)},
        })
    return cases


def main():
    torch.set_grad_enabled(True)
    doc = {"sdpa": sdpa_cases(), "mha": mha_cases(), "encoder": encoder_cases()}
    path = os.path.join(ref.OUT, "attention.json")
    ref.write(path, doc)
    n = sum(len(v) for v in doc.values())
    print(f"wrote {n} attention cases to {os.path.relpath(path, ref.ROOT)}")


if __name__ == "__main__":
    main()
