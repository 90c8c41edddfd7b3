"""PyTorch peer: torch.mm, an nn.Sequential MLP trained with optim.SGD, and the seed's tiny network with autograd.

torch.set_num_threads(1): with Debian's pthread OpenBLAS, the BLAS calls still use
both cores, while 2 intra-op threads on top of them oversubscribe the machine.
"""
import time

import torch
from torch import nn

from common import blas_summary, load_fashion, mlp_result, openblas_env_note, rss_mb, run_peer, time_epochs, time_it


def sgemm(s):
    g = torch.Generator().manual_seed(1)
    rows = []
    for sh in s["shapes"]:
        m, k, n = sh["m"], sh["k"], sh["n"]
        a = torch.randn((k, m) if sh["transA"] else (m, k), generator=g)
        b = torch.randn((n, k) if sh["transB"] else (k, n), generator=g)
        opa = a.t() if sh["transA"] else a
        opb = b.t() if sh["transB"] else b
        ms, reps = time_it(lambda: torch.mm(opa, opb), s)
        rows.append({"label": sh["label"], "medianMs": ms, "gflops": 2.0 * m * k * n / (ms * 1e6), "reps": reps})
    return {"gemm": rows}


def mlp(s):
    x, y, tx, ty = load_fashion(s["dataDir"], s["trainLimit"])
    x, y, tx, ty = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(tx), torch.from_numpy(ty)
    n, f = x.shape
    torch.manual_seed(s["seed"])
    model = nn.Sequential(nn.Linear(f, s["hidden"]), nn.ReLU(), nn.Linear(s["hidden"], 10))
    opt = torch.optim.SGD(model.parameters(), lr=s["learningRate"])
    loss_fn = nn.CrossEntropyLoss()
    bs = s["batchSize"]
    epoch_seconds, accs, rss = [], [], []
    for _ in range(s["epochs"]):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        xs, ys = x[perm], y[perm]
        for i in range(0, n, bs):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs[i : i + bs]), ys[i : i + bs])
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
        with torch.no_grad():
            accs.append(float((model(tx).argmax(dim=1) == ty).float().mean()))
        rss.append(rss_mb())
    return mlp_result(epoch_seconds, accs, rss, n, tx.shape[0])


def tiny(s):
    g = torch.Generator().manual_seed(s["seed"])
    x = torch.rand((s["samples"], s["inputs"]), generator=g)
    y = torch.rand((s["samples"], 1), generator=g)
    w1 = torch.randn((s["inputs"], s["hidden"]), generator=g).requires_grad_()
    b1 = torch.zeros(s["hidden"], requires_grad=True)
    w2 = torch.randn((s["hidden"], 1), generator=g).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w1, b1, w2, b2], lr=s["learningRate"])

    def loss_fn():
        h = torch.sigmoid(x @ w1 + b1)
        return ((torch.sigmoid(h @ w2 + b2) - y) ** 2).mean()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn().backward()
        opt.step()

    ms, epochs = time_epochs(step, s)
    with torch.no_grad():
        final = float(loss_fn())
    return {"tiny": {"msPerEpoch": ms, "epochsTimed": epochs, "finalLoss": final}}


def handle(job):
    torch.set_num_threads(1)
    notes = [
        "torch %s, set_num_threads(1), %d interop threads" % (torch.__version__, torch.get_num_interop_threads()),
        blas_summary(),
        openblas_env_note(),
    ]
    section = job["section"]
    if section == "sgemm":
        return notes, sgemm(job["settings"])
    if section == "mlp":
        notes.append("nn.Sequential + CrossEntropyLoss + optim.SGD, default init")
        return notes, mlp(job["settings"])
    notes.append("autograd + optim.SGD")
    return notes, tiny(job["settings"])


if __name__ == "__main__":
    run_peer(handle)
