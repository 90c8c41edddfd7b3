"""PyTorch peer: torch.mm, an nn.Sequential MLP trained with optim.SGD, and the seed's tiny network with autograd.

torch.set_num_threads(1): with Debian's pthread OpenBLAS, the BLAS calls still use
both cores, while 2 intra-op threads on top of them oversubscribe the machine.
The cnn section (issue 12) asks for PyTorch on 2 threads: it sets set_num_threads(2).
The gpt section (issue 13) uses the job's thread count (its peer asks for 1: OpenBLAS still
uses both cores, and 2 intra-op threads on top took 3.4x longer for the whole run).
"""
import statistics
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


def cnn(s):
    """The CNN of examples/fashion-cnn.ts: default init, Adam, batch 64, one pass per epoch."""
    x, y, tx, ty = load_fashion(s["dataDir"], s["trainLimit"])
    x, y = torch.from_numpy(x).view(-1, 1, 28, 28), torch.from_numpy(y)
    n_test = min(s["testLimit"], tx.shape[0])
    tx, ty = torch.from_numpy(tx[:n_test]).view(-1, 1, 28, 28), torch.from_numpy(ty[:n_test])
    n = x.shape[0]
    torch.manual_seed(s["seed"])
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=s["learningRate"])
    loss_fn = nn.CrossEntropyLoss()
    bs = s["batchSize"]
    epoch_seconds, accs = [], []
    for _ in range(s["epochs"]):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, bs):
            idx = perm[i : i + bs]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            ok = sum(int((model(tx[i : i + 500]).argmax(dim=1) == ty[i : i + 500]).sum()) for i in range(0, n_test, 500))
        accs.append(ok / n_test)
    return {
        "cnn": {
            "epochSeconds": epoch_seconds,
            "secondsPer60k": statistics.median(epoch_seconds) * 60000.0 / n,
            "testAccuracy": accs,
            "trainSamples": int(n),
            "testSamples": int(n_test),
            "extrapolated": False,
        }
    }


def gpt(s):
    """The character-level GPT of bench/python/char_gpt.py (nanoGPT's CPU configuration), timed per step."""
    import math

    import torch.nn.functional as F

    from char_gpt import GPT, read_fortunes

    torch.manual_seed(s["seed"])
    text, _ = read_fortunes(s["corpusDir"])
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    train = data[: int(len(data) * 0.9)]
    t, bs = s["blockSize"], s["batchSize"]
    cfg = dict(vocab_size=len(chars), block_size=t, n_layer=s["nLayer"], n_head=s["nHead"], n_embd=s["nEmbd"], bias=False)
    model = GPT(cfg)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    lr_max = s["learningRate"]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr_max, betas=(0.9, 0.99), eps=1e-8)
    total = s["scheduleSteps"]
    warmup = min(100, max(1, total // 20))

    def lr_at(it):
        if it < warmup:
            return lr_max * it / warmup
        return 1e-4 + 0.5 * (1 + math.cos(math.pi * (it - warmup) / (total - warmup))) * (lr_max - 1e-4)

    ms, losses = [], []
    for it in range(s["warmupSteps"] + s["steps"]):
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        ix = torch.randint(len(train) - t, (bs,))
        x = torch.stack([train[i : i + t] for i in ix])
        y = torch.stack([train[i + 1 : i + 1 + t] for i in ix])
        loss = F.cross_entropy(model(x).view(-1, cfg["vocab_size"]), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        value = loss.item()
        if it >= s["warmupSteps"]:
            ms.append((time.perf_counter() - t0) * 1000.0)
            losses.append(value)
    last = losses[-10:]
    return {
        "gpt": {
            "msPerStepMedian": statistics.median(ms),
            "msPerStepMean": sum(ms) / len(ms),
            "stepsTimed": len(ms),
            "finalLoss": sum(last) / len(last),
            "parameters": sum(p.numel() for p in model.parameters()) - model.transformer.wpe.weight.numel(),
        }
    }


def handle(job):
    if job["section"] == "gpt":
        torch.set_num_threads(job["threads"])
        notes = [
            "torch %s, set_num_threads(%d), %d interop threads" % (torch.__version__, job["threads"], torch.get_num_interop_threads()),
            blas_summary(),
            openblas_env_note(),
            "gpt: bench/python/char_gpt.py's GPT (explicit masked softmax; torch 1.13 has no SDPA) + AdamW + clip_grad_norm_",
        ]
        return notes, gpt(job["settings"])
    if job["section"] == "cnn":
        # Issue 12 compares the CNN with PyTorch on 2 threads (intra-op: im2col, GEMM, pooling).
        torch.set_num_threads(2)
        notes = [
            "torch %s, set_num_threads(2), %d interop threads" % (torch.__version__, torch.get_num_interop_threads()),
            blas_summary(),
            openblas_env_note(),
            "cnn: nn.Sequential (Conv2d, ReLU, MaxPool2d, Flatten, Dropout, Linear) + CrossEntropyLoss + optim.Adam, default init",
        ]
        return notes, cnn(job["settings"])
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
