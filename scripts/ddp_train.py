#!/usr/bin/env python3
"""Continues training a `cortex train` model with PyTorch DistributedDataParallel, and writes the
result back as a `.cortex` file (same architecture, schema and preprocessing) that `cortex
predict`, `evaluate` and `info` read. docs/scaling.md explains when and how.

    torchrun --nproc_per_node=2 scripts/ddp_train.py model.cortex train.csv --out model.ddp.cortex
    torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --nproc_per_node=8 scripts/ddp_train.py ...

One process per GPU with NCCL when CUDA is available, otherwise processes on the CPU with Gloo.
Each process reads the CSV with the model's own fitted preprocessing (scripts/cortex_table.py),
so the network sees exactly the features Cortex gave it.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cortex_table import transform  # noqa: E402
from torch_bridge import load_cortex, save_cortex  # noqa: E402


def evaluate(module: nn.Module, x: torch.Tensor, y: torch.Tensor, task: str) -> dict:
    module.eval()
    with torch.no_grad():
        out = module(x)
    if task == "classification":
        return {"accuracy": (out.argmax(1) == y).double().mean().item(), "loss": nn.functional.cross_entropy(out, y).item()}
    return {"loss": nn.functional.mse_loss(out.reshape(-1), y).item()}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a model saved by `cortex train`")
    p.add_argument("data", help="a labelled CSV with the columns the model was trained on")
    p.add_argument("--out", required=True, help="the .cortex file to write (rank 0 writes it, atomically)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32, help="rows per step on each process")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval", help="a labelled CSV to report metrics on before and after")
    p.add_argument("--report", help="a JSON file for the run's figures (rank 0)")
    args = p.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if cuda else torch.device("cpu")
    if not cuda:
        torch.set_num_threads(1)  # one core per process
    torch.manual_seed(args.seed)

    module, doc = load_cortex(args.model)
    task = doc["schema"]["task"]
    x, y = transform(args.data, doc["preprocessing"])
    if y is None:
        raise SystemExit(f"{args.data} has no column '{doc['schema']['target']['name']}' to train on")
    ev = transform(args.eval, doc["preprocessing"]) if args.eval else (x, y)
    before = evaluate(module, *ev, task)

    model = DistributedDataParallel(module.to(device).train(), device_ids=[device.index] if cuda else None)
    sampler = DistributedSampler(TensorDataset(x, y), num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, sampler=sampler)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    curve = []
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total, count = 0.0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            loss = nn.functional.cross_entropy(out, yb) if task == "classification" else nn.functional.mse_loss(out.reshape(-1), yb)
            opt.zero_grad()
            loss.backward()  # DDP averages the gradients over all processes here
            opt.step()
            total, count = total + loss.item() * len(xb), count + len(xb)
        stats = torch.tensor([total, count], dtype=torch.float64, device=device)
        dist.all_reduce(stats)
        curve.append(stats[0].item() / stats[1].item())

    trained = model.module.cpu().eval()
    after = evaluate(trained, *ev, task)
    if rank == 0:
        def record(d: dict) -> None:
            d["training"] = {
                **(d.get("training") or {}),
                "continuedWith": f"PyTorch {torch.__version__} DDP, {world} process(es), {dist.get_backend()}",
                "ddpData": Path(args.data).name,
                "ddpEpochs": args.epochs,
                "ddpLr": args.lr,
                "ddpBatchSize": args.batch_size,
                "ddpSeed": args.seed,
            }
            split = Path(args.eval).name if args.eval else "train (PyTorch)"
            d["metrics"] = {split: {"rows": len(ev[1]), **after}}

        save_cortex(trained, args.out, args.model, record)
        print(f"DDP on {world} process(es), {'NCCL/GPU' if cuda else 'Gloo/CPU'}: loss {curve[0]:.4f} -> {curve[-1]:.4f}; eval {before} -> {after}")
        print(f"wrote {args.out}")
        if args.report:
            with torch.no_grad():
                outputs = trained(ev[0]).tolist()
            report = {
                "torch": torch.__version__,
                "worldSize": world,
                "backend": dist.get_backend(),
                "epochs": args.epochs,
                "trainLoss": curve,
                "before": before,
                "after": after,
                "evalFeatures": ev[0].tolist(),
                "evalOutputs": outputs,
            }
            Path(args.report).write_text(json.dumps(report) + "\n")
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
