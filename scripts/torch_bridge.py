#!/usr/bin/env python3
"""The bridge between Cortex model files and PyTorch.

A `.cortex` file is a safetensors file whose tensors carry the model's state-dict names and
whose `__metadata__` holds the architecture as JSON (docs/format.md). This script rebuilds that
architecture as the equivalent `torch.nn` module, loads the weights into it, and writes weights
trained in PyTorch back into a `.cortex` file that Cortex loads, checksum and all.

Needs only PyTorch (Debian: python3-torch); no Cortex code and no other package.

    python3 scripts/torch_bridge.py to-torch  model.cortex model.pt        # torch.save({'state_dict', 'cortex'})
    python3 scripts/torch_bridge.py from-torch model.cortex model.pt out.cortex
    python3 scripts/torch_bridge.py predict   model.cortex inputs.json     # runs the torch module, prints JSON
    python3 scripts/torch_bridge.py selftest  test/fixtures/bridge          # regenerates the bridge fixtures

As a library: `load_cortex(path) -> (module, document)` and
`save_cortex(module, path, template)`.

Names: Cortex uses PyTorch's parameter names (`0.weight`, `2.bias`), except that its
BatchNorm buffers are camelCase (`runningMean`, `runningVar`, `numBatchesTracked`); the bridge
maps them to `running_mean`, `running_var` and `num_batches_tracked` and back.
"""
from __future__ import annotations

import json
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path

import torch
from torch import nn

BUFFER_NAMES = {"runningMean": "running_mean", "runningVar": "running_var", "numBatchesTracked": "num_batches_tracked"}
TORCH_TO_CORTEX = {v: k for k, v in BUFFER_NAMES.items()}
DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "I32": (torch.int32, 4)}


class BridgeError(Exception):
    """A file or module the bridge cannot translate; the message names the problem."""


# ---------------------------------------------------------------------------------------------
# safetensors with Cortex's checksum


def _canonical(metadata: dict[str, str], table: list[tuple[str, str, list[int], int, int]]) -> bytes:
    meta = [[k, metadata[k]] for k in sorted(metadata) if k != "crc32"]
    rows = [[name, dtype, shape, begin, end] for name, dtype, shape, begin, end in sorted(table)]
    return json.dumps([meta, rows], separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _checksum(metadata: dict[str, str], table, data: bytes) -> str:
    return format(zlib.crc32(data, zlib.crc32(_canonical(metadata, table))) & 0xFFFFFFFF, "08x")


def read_safetensors(path: str | os.PathLike) -> tuple[dict[str, str], dict[str, torch.Tensor], list[str]]:
    """Reads a Cortex safetensors file: (metadata, tensors by name, names in file order)."""
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise BridgeError(f"{path}: {len(raw)} bytes is too short for a model file")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise BridgeError(f"{path}: truncated header ({n} bytes announced, {len(raw) - 8} present)")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BridgeError(f"{path}: the header is not valid JSON ({e})") from e
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    table, tensors = [], {}
    for name, e in header.items():
        if e["dtype"] not in DTYPES:
            raise BridgeError(f"{path}: tensor '{name}' has dtype {e['dtype']}")
        begin, end = e["data_offsets"]
        table.append((name, e["dtype"], list(e["shape"]), begin, end))
        dtype, _ = DTYPES[e["dtype"]]
        chunk = bytearray(data[begin:end])
        tensors[name] = torch.frombuffer(chunk, dtype=dtype).reshape(e["shape"]).clone() if end > begin else torch.zeros(e["shape"], dtype=dtype)
    if "crc32" in metadata and metadata["crc32"] != _checksum(metadata, table, data):
        raise BridgeError(f"{path}: checksum mismatch; the file is damaged")
    order = [name for name, *_ in sorted(table, key=lambda row: row[3])]
    return metadata, tensors, order


def write_safetensors(path: str | os.PathLike, metadata: dict[str, str], tensors: dict[str, torch.Tensor], order: list[str]) -> None:
    """Writes tensors (in `order`) with `metadata` and a fresh checksum, atomically."""
    codes = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32"}
    table, blobs, offset = [], [], 0
    for name in order:
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype not in codes:
            raise BridgeError(f"tensor '{name}' has dtype {t.dtype}; Cortex files hold float32, float64 and int32")
        blob = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        table.append((name, codes[t.dtype], list(t.shape), offset, offset + len(blob)))
        blobs.append(blob)
        offset += len(blob)
    data = b"".join(blobs)
    meta = {k: v for k, v in metadata.items() if k != "crc32"}
    meta["crc32"] = _checksum(meta, table, data)
    header = {"__metadata__": meta}
    for name, dtype, shape, begin, end in table:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# The architecture as torch.nn


def _layer(spec: dict, where: str) -> nn.Module:
    kind, cfg, children = spec.get("type"), spec.get("config", {}), spec.get("children", [])
    if kind == "Sequential":
        return nn.Sequential(*[_layer(c, f"{where}.{i}" if where else str(i)) for i, c in enumerate(children)])
    simple = {"Identity": nn.Identity, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "ReLU": nn.ReLU, "GELU": nn.GELU, "Softplus": nn.Softplus}
    if kind in simple:
        return simple[kind]()
    if kind == "Linear":
        return nn.Linear(cfg["inFeatures"], cfg["outFeatures"], bias=cfg["bias"])
    if kind == "Flatten":
        return nn.Flatten(cfg["startDim"], cfg["endDim"])
    if kind == "Embedding":
        return nn.Embedding(cfg["numEmbeddings"], cfg["embeddingDim"])
    if kind == "LeakyReLU":
        return nn.LeakyReLU(cfg["negativeSlope"])
    if kind == "ELU":
        return nn.ELU(cfg["alpha"])
    if kind == "Softmax":
        return nn.Softmax(cfg["dim"])
    if kind == "LogSoftmax":
        return nn.LogSoftmax(cfg["dim"])
    if kind == "Dropout":
        return nn.Dropout(cfg["p"])
    if kind == "LayerNorm":
        return nn.LayerNorm(cfg["normalizedShape"], eps=cfg["eps"], elementwise_affine=cfg["elementwiseAffine"])
    if kind == "BatchNorm1d":
        # Cortex's momentum is PyTorch's: running = (1 - momentum) * running + momentum * batch.
        return nn.BatchNorm1d(cfg["numFeatures"], eps=cfg["eps"], momentum=cfg["momentum"], affine=cfg["affine"], track_running_stats=cfg["trackRunningStats"])
    # convolution
    if kind in ("Conv1d", "Conv2d"):
        padding = cfg["padding"] if isinstance(cfg["padding"], str) else tuple(cfg["padding"])
        conv = nn.Conv1d if kind == "Conv1d" else nn.Conv2d
        return conv(cfg["inChannels"], cfg["outChannels"], tuple(cfg["kernelSize"]), stride=tuple(cfg["stride"]), padding=padding,
                    dilation=tuple(cfg["dilation"]), groups=cfg["groups"], bias=cfg["bias"])
    if kind == "ConvTranspose2d":
        return nn.ConvTranspose2d(cfg["inChannels"], cfg["outChannels"], tuple(cfg["kernelSize"]), stride=tuple(cfg["stride"]),
                                  padding=tuple(cfg["padding"]), output_padding=tuple(cfg["outputPadding"]), groups=cfg["groups"],
                                  bias=cfg["bias"], dilation=tuple(cfg["dilation"]))
    # pooling and normalisation
    if kind == "MaxPool2d":
        return nn.MaxPool2d(tuple(cfg["kernelSize"]), tuple(cfg["stride"]), tuple(cfg["padding"]), tuple(cfg["dilation"]), ceil_mode=cfg["ceilMode"])
    if kind == "MaxPool1d":
        return nn.MaxPool1d(cfg["kernelSize"], cfg["stride"], cfg["padding"], cfg["dilation"], ceil_mode=cfg["ceilMode"])
    if kind == "AvgPool2d":
        return nn.AvgPool2d(tuple(cfg["kernelSize"]), tuple(cfg["stride"]), tuple(cfg["padding"]), ceil_mode=cfg["ceilMode"],
                            count_include_pad=cfg["countIncludePad"], divisor_override=cfg["divisorOverride"])
    if kind == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d(tuple(cfg["outputSize"]))
    if kind == "BatchNorm2d":
        # momentum None (null) is the cumulative average in both libraries.
        return nn.BatchNorm2d(cfg["numFeatures"], eps=cfg["eps"], momentum=cfg["momentum"], affine=cfg["affine"], track_running_stats=cfg["trackRunningStats"])
    if kind == "GroupNorm":
        return nn.GroupNorm(cfg["numGroups"], cfg["numChannels"], eps=cfg["eps"], affine=cfg["affine"])
    if kind == "Dropout2d":
        return nn.Dropout2d(cfg["p"])
    if kind == "Unflatten":
        return nn.Unflatten(cfg["dim"], tuple(cfg["sizes"]))
    raise BridgeError(f"layer '{where or '<root>'}' has type {kind!r}, which the bridge has no torch.nn equivalent for")


def to_torch_name(name: str) -> str:
    head, _, last = name.rpartition(".")
    return f"{head}.{BUFFER_NAMES[last]}" if head and last in BUFFER_NAMES else BUFFER_NAMES.get(name, name)


def to_cortex_name(name: str) -> str:
    head, _, last = name.rpartition(".")
    return f"{head}.{TORCH_TO_CORTEX[last]}" if head and last in TORCH_TO_CORTEX else TORCH_TO_CORTEX.get(name, name)


def load_cortex(path: str | os.PathLike) -> tuple[nn.Module, dict]:
    """Rebuilds a `.cortex` model as torch.nn, weights loaded, in eval mode; returns (module, document)."""
    metadata, tensors, _ = read_safetensors(path)
    if metadata.get("format") != "cortex" or "cortex" not in metadata:
        raise BridgeError(f"{path}: not a Cortex model file (no 'cortex' document in __metadata__)")
    doc = json.loads(metadata["cortex"])
    module = _layer(doc["architecture"], "")
    state = {}
    for name, t in tensors.items():
        state[to_torch_name(name)] = t.long() if name.endswith("numBatchesTracked") else t
    missing, unexpected = module.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise BridgeError(f"{path}: weights do not match the architecture (missing {missing}, unexpected {unexpected})")
    return module.eval(), doc


def save_cortex(module: nn.Module, path: str | os.PathLike, template: str | os.PathLike, update=None) -> None:
    """Writes `module`'s weights into a copy of the `.cortex` file `template` (same architecture, schema and preprocessing).

    `update`, if given, is called with the model document (a dict) before it is written, to
    record how the weights were trained; it must keep the architecture as it is.
    """
    metadata, tensors, order = read_safetensors(template)
    if update is not None:
        doc = json.loads(metadata["cortex"])
        update(doc)
        metadata = {**metadata, "cortex": json.dumps(doc, separators=(",", ":"), ensure_ascii=False)}
    state = {to_cortex_name(k): v for k, v in module.state_dict().items()}
    if set(state) != set(tensors):
        raise BridgeError(f"the torch module's state dict {sorted(state)} does not match {template}'s tensors {sorted(tensors)}")
    out = {}
    for name in order:
        old, new = tensors[name], state[name].detach()
        if list(old.shape) != list(new.shape):
            raise BridgeError(f"tensor '{name}': shape {list(new.shape)} in torch, {list(old.shape)} in {template}")
        out[name] = new.to(old.dtype)
    write_safetensors(path, metadata, out, order)


# ---------------------------------------------------------------------------------------------
# Commands


def _predict(module: nn.Module, inputs) -> list:
    x = torch.tensor(inputs, dtype=torch.int64 if _is_index_input(module) else torch.float32)
    with torch.no_grad():
        return module(x).tolist()


def _is_index_input(module: nn.Module) -> bool:
    first = next((m for m in module.modules() if not isinstance(m, nn.Sequential)), None)
    return isinstance(first, nn.Embedding)


def selftest(folder: Path) -> None:
    """For each `<name>.cortex` with `<name>.inputs.json`: torch outputs, a perturbed copy written back, its outputs."""
    torch.manual_seed(0)
    for model_path in sorted(folder.glob("*.cortex")):
        if model_path.name.endswith(".back.cortex"):
            continue
        stem = model_path.name[: -len(".cortex")]
        inputs = json.loads((folder / f"{stem}.inputs.json").read_text())
        module, _ = load_cortex(model_path)
        before = _predict(module, inputs)
        # Change every weight as training elsewhere would, and every buffer, then write it back.
        with torch.no_grad():
            for name, t in module.state_dict().items():
                if t.is_floating_point():
                    t.mul_(0.9).add_(0.05 * torch.randn_like(t).abs() if "running_var" in name else 0.05 * torch.randn_like(t))
                else:
                    t.add_(3)
        back = folder / f"{stem}.back.cortex"
        save_cortex(module, back, model_path)
        again, _ = load_cortex(back)
        after = _predict(again, inputs)
        result = {"torch": torch.__version__, "outputs": before, "backOutputs": after}
        (folder / f"{stem}.torch.json").write_text(json.dumps(result) + "\n")
        print(f"{stem}: outputs {torch.tensor(before).shape}, written back to {back.name}")


def main(argv: list[str]) -> int:
    usage = __doc__.split("\n\n")[2]
    if len(argv) < 2:
        print(usage, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "to-torch" and len(args) == 2:
            module, doc = load_cortex(args[0])
            torch.save({"state_dict": module.state_dict(), "cortex": doc}, args[1])
            print(module)
        elif cmd == "from-torch" and len(args) == 3:
            module, _ = load_cortex(args[0])
            saved = torch.load(args[1], map_location="cpu")
            module.load_state_dict(saved["state_dict"] if "state_dict" in saved else saved)
            save_cortex(module, args[2], args[0])
            print(f"wrote {args[2]}")
        elif cmd == "predict" and len(args) == 2:
            module, _ = load_cortex(args[0])
            print(json.dumps(_predict(module, json.loads(Path(args[1]).read_text()))))
        elif cmd == "selftest" and len(args) == 1:
            selftest(Path(args[0]))
        else:
            print(usage, file=sys.stderr)
            return 2
    except BridgeError as e:
        print(f"torch_bridge: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
