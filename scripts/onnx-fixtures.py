#!/usr/bin/python3
"""Writes the ONNX import fixtures: small PyTorch models exported with torch.onnx.

Run from the repository root with Debian's Python (python3-torch, python3-onnx):

    /usr/bin/python3 scripts/onnx-fixtures.py

For each model it writes test/fixtures/onnx/<name>.onnx and <name>.json. The tests read
only these files, so they need no Python. Everything is seeded: a rerun with the same torch
version writes the same weights and outputs (the .onnx bytes may differ in metadata).

How the models are exported
  * eval mode, torch.onnx.export with do_constant_folding=True (the default), opset 13
    (17 for the transformer, whose LayerNormalization needs opset 17), a dynamic batch axis
    on every input and output. cnn-opset9, lstm-opset11 and transformer-opset11 are the same
    models at older opsets; gru (int64 token ids), transformer-masks (a bool padding mask and a
    causal mask) and upsample (ConvTranspose, InstanceNorm, Resize) are what real exports bring.
  * Inputs are drawn in float32; outputs are computed by torch in float32 on the same
    module that was exported (so they are what an exact importer should reproduce).

JSON format of <name>.json
  { "name": "mlp", "torch": "1.13.0", "opset": 13,
    "inputs":  [ {"name": "x", "shape": [...], "data": [...]}, ... ],
    "outputs": [ {"name": "y", "shape": [...], "data": [...]}, ... ],
    "ops": ["Gemm", "Relu", ...] }
  * "data" is the row-major flattening with 9 significant digits (round-trips float32).
  * An int64 or bool input has "dtype": "int64" or "bool" and integer data (0/1 for bool).
  * A second set of inputs and outputs with another batch size is under "batch2" (same layout).
"""
import json
import os

import onnx
import torch
import torch.nn.functional as F
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "onnx")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3), nn.LogSoftmax(dim=1)
        )

    def forward(self, x):
        return self.net(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        # Not right after a convolution, so the exporter cannot fold it: a BatchNormalization node.
        self.bn2 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, kernel_size=3, stride=2, padding=1, groups=2)
        self.fc = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        # conv1 + bn1 are folded into one Conv by the exporter (constant folding in eval mode).
        x = self.bn2(self.pool(torch.relu(self.bn1(self.conv1(x)))))
        x = torch.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=3, hidden_size=8, num_layers=2, batch_first=True)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1, :])


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(
            d_model=16, nhead=2, dim_feedforward=32, dropout=0.1, activation="gelu", batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        return self.head(self.encoder(x))


class EmbeddingGRU(nn.Module):
    """Token ids (int64) through an embedding, a bidirectional GRU and a linear head."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 6)
        self.gru = nn.GRU(6, 5, batch_first=True, bidirectional=True)
        self.head = nn.Linear(10, 3)

    def forward(self, x):
        y, _ = self.gru(self.embed(x))
        return self.head(y[:, -1])


class MaskedEncoder(nn.Module):
    """A pre-norm encoder layer with a causal mask and a key padding mask (a bool input)."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)

    def forward(self, x, padding):
        n = x.shape[1]
        causal = torch.triu(torch.full((n, n), float("-inf")), 1)
        return self.encoder(x, mask=causal, src_key_padding_mask=padding)


class Upsampler(nn.Module):
    """ConvTranspose2d, InstanceNorm2d and three kinds of interpolation."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)
        self.norm = nn.InstanceNorm2d(2, affine=True)

    def forward(self, x):
        nearest = F.interpolate(x, scale_factor=2, mode="nearest")[:, :2]
        bilinear = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)[:, :1]
        corners = F.interpolate(x, size=(8, 10), mode="bilinear", align_corners=True)[:, 1:2]
        return torch.cat([nearest, self.norm(self.up(x)), bilinear, corners], 1)


def padding_mask(batch, n):
    """Every other sequence has its last two positions masked."""
    m = torch.zeros(batch, n, dtype=torch.bool)
    m[1::2, n - 2 :] = True
    return m


def randomize_bn(model):
    """Gives BatchNorm non-trivial running statistics and affine parameters."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)


def perturb(model):
    """Adds noise to every parameter, so no two are equal (the exporter would share equal
    initializers, e.g. the zero biases and unit LayerNorm weights of cloned layers)."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))


def as_json(name, t):
    """A tensor as JSON; integer and bool inputs carry their type as "dtype" ("int64", "bool")."""
    out = {"name": name, "shape": list(t.shape)}
    if t.dtype in (torch.int64, torch.bool):
        out["dtype"] = "int64" if t.dtype == torch.int64 else "bool"
        out["data"] = [int(v) for v in t.reshape(-1).tolist()]
        return out
    t = t.detach().to(torch.float32)
    out["data"] = [float(f"{v:.9g}") for v in t.reshape(-1).tolist()]
    return out


def export(name, model, inputs, batch2, opset):
    torch.manual_seed(0)
    model.eval()
    in_names = ["x"] if len(inputs) == 1 else [f"x{i}" for i in range(len(inputs))]
    out_names = ["y"]
    axes = {n: {0: "batch"} for n in in_names + out_names}
    path = os.path.join(OUT, f"{name}.onnx")
    torch.onnx.export(
        model,
        tuple(inputs),
        path,
        input_names=in_names,
        output_names=out_names,
        dynamic_axes=axes,
        opset_version=opset,
        do_constant_folding=True,
    )
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    ops = sorted({n.op_type for n in proto.graph.node})
    with torch.no_grad():
        y = model(*inputs)
        y2 = model(*batch2)
    doc = {
        "name": name,
        "torch": torch.__version__,
        "opset": opset,
        "inputs": [as_json(n, t) for n, t in zip(in_names, inputs)],
        "outputs": [as_json("y", y)],
        "batch2": {
            "inputs": [as_json(n, t) for n, t in zip(in_names, batch2)],
            "outputs": [as_json("y", y2)],
        },
        "ops": ops,
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes, ops {', '.join(ops)}")


def main():
    os.makedirs(OUT, exist_ok=True)
    # Each model at the opset the tests focus on, and some again at an older opset, whose
    # conventions differ (axes as attributes, LayerNorm decomposed into ReduceMean/Pow/Sqrt).
    for suffix, opsets in (("", (13, 13, 13, 17)), ("-opset9", (None, 9, None, None)), ("-opset11", (None, None, 11, 11))):
        mlp_opset, cnn_opset, lstm_opset, transformer_opset = opsets
        if mlp_opset:
            torch.manual_seed(0)
            export(f"mlp{suffix}", MLP(), [torch.randn(5, 4)], [torch.randn(2, 4)], mlp_opset)
        if cnn_opset:
            torch.manual_seed(1)
            cnn = CNN()
            randomize_bn(cnn)
            export(f"cnn{suffix}", cnn, [torch.randn(2, 1, 8, 8)], [torch.randn(3, 1, 8, 8)], cnn_opset)
        if lstm_opset:
            torch.manual_seed(2)
            export(f"lstm{suffix}", LSTMNet(), [torch.randn(3, 5, 3)], [torch.randn(1, 5, 3)], lstm_opset)
        if transformer_opset:
            torch.manual_seed(3)
            encoder = Encoder()
            perturb(encoder)
            export(f"transformer{suffix}", encoder, [torch.randn(2, 6, 16)], [torch.randn(3, 6, 16)], transformer_opset)
    # What real exports bring along: int64 token ids, bool masks, upsampling.
    torch.manual_seed(4)
    export("gru", EmbeddingGRU(), [torch.randint(0, 10, (2, 7))], [torch.randint(0, 10, (3, 7))], 13)
    torch.manual_seed(5)
    masked = MaskedEncoder()
    perturb(masked)
    export("transformer-masks", masked, [torch.randn(2, 5, 8), padding_mask(2, 5)], [torch.randn(3, 5, 8), padding_mask(3, 5)], 17)
    torch.manual_seed(6)
    upsampler = Upsampler()
    perturb(upsampler)
    export("upsample", upsampler, [torch.randn(2, 3, 4, 5)], [torch.randn(1, 3, 4, 5)], 13)


if __name__ == "__main__":
    main()
