"""Applies a `cortex train` model's fitted preprocessing to a CSV file, in Python.

A model saved by `cortex train` stores its fitted table pipeline as JSON (docs/format.md:
imputers, a scaler for numeric columns, a one-hot encoder for categorical ones, a label encoder
or a target scaling). This module reads a CSV the way Cortex does (trimmed cells; `''`, `NA`,
`N/A`, `null` and `NULL` are missing; strict decimals) and applies that transform, so PyTorch
sees the same feature matrix Cortex does. Unseen categories encode as all zeros, as in
`cortex predict`. test/io/torch-bridge.test.ts checks the result against Cortex's own.
"""
from __future__ import annotations

import csv
import math
import re

import torch

MISSING = {"", "NA", "N/A", "null", "NULL"}
DECIMAL = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


class TableError(Exception):
    """A cell or column the preprocessing cannot read; the message names the row and column."""


def js_number(v: float) -> str:
    """A number as JavaScript's String() writes it, for the integers and plain decimals labels hold."""
    if v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    return repr(v)


def _number(cell: str, where: str) -> float:
    if cell in MISSING:
        return math.nan
    if not DECIMAL.match(cell) or not math.isfinite(float(cell)):
        raise TableError(f"{where}: {cell!r} is not a number")
    return float(cell)


def read_rows(path: str) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [[c.strip() for c in r] for r in csv.reader(f) if r]
    if not rows:
        raise TableError(f"{path}: the file is empty")
    return rows[0], rows[1:]


def transform(path: str, preprocessing: dict) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The float32 feature matrix of a CSV file, and its targets if the file has the target column.

    Targets are class ids (int64) for classification and the scaled target (float32) for
    regression, as the model was trained on.
    """
    pipe, scaling = preprocessing["pipeline"], preprocessing.get("targetScaling")
    header, rows = read_rows(path)
    col = {name: i for i, name in enumerate(header)}
    for name in pipe["numeric"] + pipe["categorical"]:
        if name not in col:
            raise TableError(f"{path}: the column '{name}' the model was trained on is missing")

    def cells(name: str) -> list[str]:
        return [r[col[name]] if col[name] < len(r) else "" for r in rows]

    features: list[list[float]] = [[] for _ in rows]
    imputer, scaler = pipe.get("numericImputer"), pipe.get("scaler")
    for j, name in enumerate(pipe["numeric"]):
        for i, cell in enumerate(cells(name)):
            v = _number(cell, f"{path} row {i + 2}, column '{name}'")
            if math.isnan(v) and imputer is not None:
                v = float(imputer["statistics"][j])
            if math.isnan(v):
                raise TableError(f"{path} row {i + 2}, column '{name}': missing value and no imputer")
            if scaler is not None and scaler["type"] == "StandardScaler":
                v = (v - scaler["mean"][j]) / scaler["scale"][j]
            elif scaler is not None:
                low, high = scaler["range"]
                span = scaler["dataMax"][j] - scaler["dataMin"][j]
                v = low + (v - scaler["dataMin"][j]) * ((high - low) / (span if span != 0 else 1))
            features[i].append(v)
    encoder, cat_imputer = pipe.get("encoder"), pipe.get("categoricalImputer")
    for j, name in enumerate(pipe["categorical"]):
        known = [c if isinstance(c, str) else js_number(float(c)) for c in encoder["categories"][j]]
        for i, cell in enumerate(cells(name)):
            value = None if cell in MISSING else cell
            if value is None and cat_imputer is not None:
                fill = cat_imputer["statistics"][j]
                value = fill if isinstance(fill, str) else js_number(float(fill))
            if value is None:
                raise TableError(f"{path} row {i + 2}, column '{name}': missing value and no imputer")
            features[i].extend(1.0 if value == k else 0.0 for k in known)
    x = torch.tensor(features, dtype=torch.float64).to(torch.float32)

    target = pipe.get("target")
    if target is None or target["name"] not in col:
        return x, None
    raw = cells(target["name"])
    if target.get("encoder") is not None:
        classes = [c if isinstance(c, str) else js_number(float(c)) for c in target["encoder"]["classes"]]
        numeric = target["type"] == "numeric"
        ids = []
        for i, cell in enumerate(raw):
            label = js_number(_number(cell, f"{path} row {i + 2}")) if numeric else cell
            if label not in classes:
                raise TableError(f"{path} row {i + 2}: class {cell!r} was not seen in training")
            ids.append(classes.index(label))
        return x, torch.tensor(ids, dtype=torch.int64)
    y = [_number(c, f"{path} row {i + 2}, column '{target['name']}'") for i, c in enumerate(raw)]
    if scaling is not None:
        y = [(v - scaling["mean"]) / scaling["scale"] for v in y]
    return x, torch.tensor(y, dtype=torch.float64).to(torch.float32)
