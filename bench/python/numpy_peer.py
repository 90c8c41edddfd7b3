"""numpy peer: OpenBLAS sgemm, a hand-written 784-128-10 MLP and the seed's tiny network, all float32."""
import time

import numpy as np

from common import blas_summary, load_fashion, mlp_result, openblas_env_note, rss_mb, run_peer, time_epochs, time_it


def sgemm(s):
    rng = np.random.default_rng(1)
    rows = []
    for sh in s["shapes"]:
        m, k, n = sh["m"], sh["k"], sh["n"]
        a = rng.standard_normal((k, m) if sh["transA"] else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if sh["transB"] else (k, n), dtype=np.float32)
        opa = a.T if sh["transA"] else a  # a view: BLAS gets the transpose flag, nothing is copied
        opb = b.T if sh["transB"] else b
        ms, reps = time_it(lambda: np.matmul(opa, opb), s)
        rows.append({"label": sh["label"], "medianMs": ms, "gflops": 2.0 * m * k * n / (ms * 1e6), "reps": reps})
    return {"gemm": rows}


def mlp(s):
    x, y, tx, ty = load_fashion(s["dataDir"], s["trainLimit"])
    n, f = x.shape
    h, lr, bs = s["hidden"], np.float32(s["learningRate"]), s["batchSize"]
    rng = np.random.default_rng(s["seed"])

    def init(fan_in, shape):  # PyTorch's default for Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    w1, b1, w2, b2 = init(f, (f, h)), init(f, (h,)), init(h, (h, 10)), init(h, (10,))
    epoch_seconds, accs, rss = [], [], []
    for _ in range(s["epochs"]):
        t0 = time.perf_counter()
        perm = rng.permutation(n)
        xs, ys = x[perm], y[perm]
        for i in range(0, n, bs):
            xb, yb = xs[i : i + bs], ys[i : i + bs]
            m = xb.shape[0]
            hid = xb @ w1
            hid += b1
            np.maximum(hid, 0, out=hid)
            z = hid @ w2
            z += b2
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            z[np.arange(m), yb] -= 1.0  # z is now d(loss)/d(logits) times m
            z *= lr / m  # fold the learning rate into the upstream gradient
            dh = z @ w2.T
            dh[hid <= 0] = 0.0
            w2 -= hid.T @ z
            b2 -= z.sum(axis=0)
            w1 -= xb.T @ dh
            b1 -= dh.sum(axis=0)
        epoch_seconds.append(time.perf_counter() - t0)
        logits = np.maximum(tx @ w1 + b1, 0) @ w2 + b2
        accs.append(float((logits.argmax(axis=1) == ty).mean()))
        rss.append(rss_mb())
    return mlp_result(epoch_seconds, accs, rss, n, tx.shape[0])


def tiny(s):
    rng = np.random.default_rng(s["seed"])
    x = rng.random((s["samples"], s["inputs"]), dtype=np.float32)
    y = rng.random((s["samples"], 1), dtype=np.float32)
    w1 = rng.standard_normal((s["inputs"], s["hidden"]), dtype=np.float32)
    b1 = np.zeros(s["hidden"], np.float32)
    w2 = rng.standard_normal((s["hidden"], 1), dtype=np.float32)
    b2 = np.zeros(1, np.float32)
    lr = np.float32(s["learningRate"])
    scale = np.float32(2.0 / s["samples"])

    def step():
        h = 1.0 / (1.0 + np.exp(-(x @ w1 + b1)))
        o = 1.0 / (1.0 + np.exp(-(h @ w2 + b2)))
        do = (o - y) * scale * o * (1.0 - o)  # d(mean squared error)/d(pre-activation)
        dh = (do @ w2.T) * h * (1.0 - h)
        w2[...] -= lr * (h.T @ do)
        b2[...] -= lr * do.sum(axis=0)
        w1[...] -= lr * (x.T @ dh)
        b1[...] -= lr * dh.sum(axis=0)

    ms, epochs = time_epochs(step, s)
    h = 1.0 / (1.0 + np.exp(-(x @ w1 + b1)))
    o = 1.0 / (1.0 + np.exp(-(h @ w2 + b2)))
    return {"tiny": {"msPerEpoch": ms, "epochsTimed": epochs, "finalLoss": float(((o - y) ** 2).mean())}}


def handle(job):
    notes = ["numpy %s" % np.__version__, blas_summary(), openblas_env_note()]
    section = job["section"]
    if section == "sgemm":
        return notes, sgemm(job["settings"])
    if section == "mlp":
        notes.append("hand-written forward/backward, float32, PyTorch-style uniform init")
        return notes, mlp(job["settings"])
    notes.append("hand-written forward/backward, float32")
    return notes, tiny(job["settings"])


if __name__ == "__main__":
    run_peer(handle)
