#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of the recurrent layers: test/fixtures/torch/rnn.json.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-rnn-reference.py

Each case builds one torch layer (RNN, LSTM, GRU or a cell) with seeded float32-representable
weights, runs it in float64 on a seeded input (and initial state, and per-sample lengths
through pack_padded_sequence / pad_packed_sequence when given), and records the output, the
final state, and the gradients of L = sum(out * w) + sum(hN * wh) [+ sum(cN * wc)] with respect
to the input, the initial state and every parameter (by its PyTorch name). Tensors are encoded
as in scripts/torch-reference.py ({shape, data}, 9 significant digits).

Case fields: name, kind, config (constructor options in Cortex's spelling), state (the state
dict), x, h0 / c0 (or null), lengths (or null), out, hN, cN, w, wh, wc, grads {x, h0, c0,
params: {name: grad}}.
"""

import importlib.util
import os

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("torch_reference", os.path.join(HERE, "torch-reference.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

# (name, kind, input size, hidden size, options, x shape, initial state?, lengths)
LAYERS = [
    ("rnn_tanh", "RNN", 3, 4, {}, (5, 2, 3), False, None),
    ("rnn_relu_2layers_h0", "RNN", 3, 4, {"nonlinearity": "relu", "numLayers": 2}, (4, 3, 3), True, None),
    ("rnn_bidir_batchfirst", "RNN", 2, 3, {"bidirectional": True, "batchFirst": True}, (2, 5, 2), True, None),
    ("lstm_basic", "LSTM", 3, 4, {}, (5, 2, 3), False, None),
    ("lstm_2layers_bidir_h0", "LSTM", 3, 4, {"numLayers": 2, "bidirectional": True}, (4, 2, 3), True, None),
    ("lstm_batchfirst_nobias", "LSTM", 2, 3, {"batchFirst": True, "bias": False}, (3, 4, 2), True, None),
    ("lstm_proj", "LSTM", 3, 5, {"projSize": 2, "numLayers": 2}, (4, 2, 3), True, None),
    ("lstm_lengths_bidir", "LSTM", 3, 4, {"bidirectional": True, "batchFirst": True}, (3, 6, 3), True, [6, 2, 4]),
    ("lstm_unbatched", "LSTM", 3, 4, {"numLayers": 2}, (5, 3), True, None),
    ("gru_basic", "GRU", 3, 4, {}, (5, 2, 3), False, None),
    ("gru_2layers_bidir_bf_h0", "GRU", 2, 3, {"numLayers": 2, "bidirectional": True, "batchFirst": True}, (2, 4, 2), True, None),
    ("gru_lengths_2layers", "GRU", 3, 4, {"numLayers": 2}, (5, 3, 3), True, [3, 5, 1]),
    ("rnn_lengths_bidir_2layers", "RNN", 2, 3, {"numLayers": 2, "bidirectional": True}, (4, 3, 2), False, [4, 1, 3]),
]

# (name, kind, input size, hidden size, options, x shape, initial state?)
CELLS = [
    ("rnncell_tanh", "RNNCell", 3, 4, {}, (2, 3), True),
    ("rnncell_relu_nobias", "RNNCell", 3, 4, {"nonlinearity": "relu", "bias": False}, (2, 3), True),
    ("lstmcell", "LSTMCell", 3, 4, {}, (2, 3), True),
    ("lstmcell_zero_state", "LSTMCell", 3, 2, {}, (3, 3), False),
    ("grucell", "GRUCell", 3, 4, {}, (2, 3), True),
    ("grucell_unbatched", "GRUCell", 2, 3, {}, (2,), True),
]


def build(kind, i, h, o):
    bias = o.get("bias", True)
    if kind in ("RNN", "LSTM", "GRU"):
        kw = {"num_layers": o.get("numLayers", 1), "bias": bias, "batch_first": o.get("batchFirst", False),
              "bidirectional": o.get("bidirectional", False)}
        if kind == "RNN":
            return torch.nn.RNN(i, h, nonlinearity=o.get("nonlinearity", "tanh"), **kw)
        if kind == "LSTM":
            return torch.nn.LSTM(i, h, proj_size=o.get("projSize", 0), **kw)
        return torch.nn.GRU(i, h, **kw)
    if kind == "RNNCell":
        return torch.nn.RNNCell(i, h, bias=bias, nonlinearity=o.get("nonlinearity", "tanh"))
    return getattr(torch.nn, kind)(i, h, bias=bias)


def set_weights(r, m):
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(r.u(-0.6, 0.6, *p.shape))


def layer_case(name, kind, i, h, o, xs, with_state, lengths):
    r = ref.Rand(name)
    m = build(kind, i, h, o).double()
    set_weights(r, m)
    x = r.n(*xs).requires_grad_(True)
    D = 2 if o.get("bidirectional") else 1
    L = o.get("numLayers", 1)
    hout = o.get("projSize", 0) or h
    unbatched = len(xs) == 2
    batch = () if unbatched else (xs[0] if o.get("batchFirst") else xs[1],)
    h0 = r.n(L * D, *batch, hout).requires_grad_(True) if with_state else None
    c0 = r.n(L * D, *batch, h).requires_grad_(True) if with_state and kind == "LSTM" else None
    hx = None if h0 is None else ((h0, c0) if kind == "LSTM" else h0)
    if lengths is None:
        out, state = m(x, hx)
    else:
        bf = o.get("batchFirst", False)
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=bf, enforce_sorted=False)
        out, state = m(packed, hx)
        out, _ = pad_packed_sequence(out, batch_first=bf, total_length=xs[1] if bf else xs[0])
    hN, cN = state if kind == "LSTM" else (state, None)
    w, wh = r.n(*out.shape), r.n(*hN.shape)
    wc = r.n(*cN.shape) if cN is not None else None
    loss = (out * w).sum() + (hN * wh).sum() + ((cN * wc).sum() if cN is not None else 0)
    loss.backward()
    enc = ref.enc
    return {
        "name": name, "kind": kind, "inputSize": i, "hiddenSize": h, "config": o,
        "state": {k: enc(v) for k, v in m.state_dict().items()},
        "x": enc(x), "h0": enc(h0) if h0 is not None else None, "c0": enc(c0) if c0 is not None else None,
        "lengths": lengths, "out": enc(out), "hN": enc(hN), "cN": enc(cN) if cN is not None else None,
        "w": enc(w), "wh": enc(wh), "wc": enc(wc) if wc is not None else None,
        "grads": {"x": enc(x.grad), "h0": enc(h0.grad) if h0 is not None else None,
                  "c0": enc(c0.grad) if c0 is not None else None,
                  "params": {k: enc(p.grad) for k, p in m.named_parameters()}},
    }


def cell_case(name, kind, i, h, o, xs, with_state):
    r = ref.Rand(name)
    m = build(kind, i, h, o).double()
    set_weights(r, m)
    x = r.n(*xs).requires_grad_(True)
    sshape = (*xs[:-1], h)
    h0 = r.n(*sshape).requires_grad_(True) if with_state else None
    c0 = r.n(*sshape).requires_grad_(True) if with_state and kind == "LSTMCell" else None
    if kind == "LSTMCell":
        hN, cN = m(x, None if h0 is None else (h0, c0))
    else:
        hN, cN = m(x, h0), None
    wh = r.n(*hN.shape)
    wc = r.n(*cN.shape) if cN is not None else None
    loss = (hN * wh).sum() + ((cN * wc).sum() if cN is not None else 0)
    loss.backward()
    enc = ref.enc
    return {
        "name": name, "kind": kind, "inputSize": i, "hiddenSize": h, "config": o,
        "state": {k: enc(v) for k, v in m.state_dict().items()},
        "x": enc(x), "h0": enc(h0) if h0 is not None else None, "c0": enc(c0) if c0 is not None else None,
        "lengths": None, "out": None, "hN": enc(hN), "cN": enc(cN) if cN is not None else None,
        "w": None, "wh": enc(wh), "wc": enc(wc) if wc is not None else None,
        "grads": {"x": enc(x.grad), "h0": enc(h0.grad) if h0 is not None else None,
                  "c0": enc(c0.grad) if c0 is not None else None,
                  "params": {k: enc(p.grad) for k, p in m.named_parameters()}},
    }


def main():
    torch.set_grad_enabled(True)
    cases = [layer_case(*c) for c in LAYERS] + [cell_case(*c) for c in CELLS]
    path = os.path.join(ref.OUT, "rnn.json")
    ref.write(path, {"op": "rnn", "cases": cases})
    print(f"wrote {len(cases)} recurrent cases to {os.path.relpath(path, ref.ROOT)}")


if __name__ == "__main__":
    main()
