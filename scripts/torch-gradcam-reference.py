#!/usr/bin/python3
"""Writes the PyTorch reference of Grad-CAM: test/fixtures/torch/gradcam.json.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-gradcam-reference.py

A small fixed CNN (seeded): Conv2d(2, 3, 3, padding=1) -> ReLU -> MaxPool2d(2) ->
Conv2d(3, 4, 3) -> ReLU -> Flatten -> Linear(4*2*2, 3), on a batch of 2 inputs [2, 2, 8, 8],
and a Conv1d model for the 3-D case: Conv1d(2, 3, 3) -> ReLU -> Flatten -> Linear(3*5, 2)
on [2, 2, 7]. Grad-CAM by hand with torch autograd, as Captum's LayerGradCam defines it:
A = the layer's output (captured by a forward hook), G = d(targeted outputs summed over
the batch)/dA, weights = mean of G over the spatial dims, cam = sum over channels of
weights * A, kept as [N, 1, ...]; relu(cam) for relu_attributions; upsampled to the
input's spatial size with F.interpolate (bilinear / linear, align_corners=False, and
nearest), as Captum's LayerAttribution.interpolate. Guided backpropagation on the 2-D model
(every nn.ReLU's backward passes only positive gradients: grad.clamp(min=0) * (x > 0)) and
Guided Grad-CAM (that times the ReLU'd map upsampled by nearest), as Captum's
GuidedBackprop and GuidedGradCam. Everything in float64 from
float32-representable weights and inputs.
"""

import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)


def f32(t):
    """Rounds to float32 and back, so Cortex's float32 copy is the same numbers."""
    return t.float().double()


def cam_of(model, layer, x, target):
    store = {}

    def hook(_m, _inp, out):
        store["a"] = out
        out.retain_grad()

    h = layer.register_forward_hook(hook)
    y = model(x)
    h.remove()
    picked = y[torch.arange(x.shape[0]), torch.tensor(target)]
    picked.sum().backward()
    a, g = store["a"], store["a"].grad
    weights = g.mean(dim=tuple(range(2, g.dim())), keepdim=True)
    cam = (weights * a).sum(dim=1, keepdim=True)
    return a.detach(), g.detach(), cam.detach()


class GuidedReLU(torch.autograd.Function):
    """ReLU whose backward passes only positive gradients (guided backpropagation)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0).to(g.dtype)


class GuidedReLUModule(nn.Module):
    def forward(self, x):
        return GuidedReLU.apply(x)


def guided_backprop(model, x, target):
    guided = nn.Sequential(*[GuidedReLUModule() if isinstance(m, nn.ReLU) else m for m in model])
    xg = x.clone().requires_grad_(True)
    y = guided(xg)
    y[torch.arange(x.shape[0]), torch.tensor(target)].sum().backward()
    return xg.grad.detach()


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


def case_2d():
    model = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16, 3),
    ).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(f32(torch.randn_like(p) * 0.5))
    x = f32(torch.randn(2, 2, 8, 8))
    target = [2, 0]
    out = {"name": "cnn2d", "input": flat(x), "inputShape": list(x.shape), "target": target,
           "params": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in model.state_dict().items()}}
    gb = guided_backprop(model, x, target)
    out["guidedBackprop"] = flat(gb)
    for key, layer in [("conv", model[3]), ("relu", model[4])]:
        a, g, cam = cam_of(model, layer, x, target)
        out[key] = {
            "activationShape": list(a.shape),
            "cam": flat(cam), "camShape": list(cam.shape),
            "camRelu": flat(F.relu(cam)),
            "bilinear": flat(F.interpolate(cam, size=(8, 8), mode="bilinear", align_corners=False)),
            "nearest": flat(F.interpolate(cam, size=(8, 8), mode="nearest")),
            # Guided Grad-CAM: guided backprop times the ReLU'd map, nearest-upsampled.
            "guidedGradCam": flat(gb * F.interpolate(F.relu(cam), size=(8, 8), mode="nearest")),
        }
    return out


def case_1d():
    model = nn.Sequential(nn.Conv1d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(15, 2)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(f32(torch.randn_like(p) * 0.5))
    x = f32(torch.randn(2, 2, 7))
    target = [1, 1]
    a, g, cam = cam_of(model, model[0], x, target)
    return {"name": "cnn1d", "input": flat(x), "inputShape": list(x.shape), "target": target,
            "params": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in model.state_dict().items()},
            "conv": {"activationShape": list(a.shape), "cam": flat(cam), "camShape": list(cam.shape),
                     "camRelu": flat(F.relu(cam)),
                     "bilinear": flat(F.interpolate(cam, size=(7,), mode="linear", align_corners=False)),
                     "nearest": flat(F.interpolate(cam, size=(7,), mode="nearest"))}}


def main():
    out = {"about": "Written by scripts/torch-gradcam-reference.py (torch %s, float64)." % torch.__version__,
           "cases": [case_2d(), case_1d()]}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch", "gradcam.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
