"""How much of numpy's hand-written MLP epoch is matrix products.

Runs the same training step as numpy_peer.mlp (784-128-10, batch 64, 60,000
samples of Fashion-MNIST's shape; random pixels, since only time is measured)
and times the five products of each step apart from the rest. BENCHMARKS.md
uses the share to bound what a 128-bit WebAssembly matmul can reach against
numpy's BLAS. Usage: python3 bench/python/numpy_gemm_share.py [epochs]
"""
import sys
import time

import numpy as np


def main(epochs):
    rng = np.random.default_rng(0)
    n, f, h, bs = 60000, 784, 128, 64
    x = rng.random((n, f), dtype=np.float32)
    y = rng.integers(0, 10, n)
    w1 = (rng.standard_normal((f, h)) * 0.03).astype(np.float32)
    b1 = np.zeros(h, np.float32)
    w2 = (rng.standard_normal((h, 10)) * 0.1).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    lr = np.float32(0.05)
    clock = time.perf_counter
    for _ in range(epochs):
        t0 = clock()
        products = 0.0
        perm = rng.permutation(n)
        xs, ys = x[perm], y[perm]
        for i in range(0, n, bs):
            xb, yb = xs[i : i + bs], ys[i : i + bs]
            m = xb.shape[0]
            t = clock()
            hid = xb @ w1
            products += clock() - t
            hid += b1
            np.maximum(hid, 0, out=hid)
            t = clock()
            z = hid @ w2
            products += clock() - t
            z += b2
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            z[np.arange(m), yb] -= 1.0
            z *= lr / m
            t = clock()
            dh = z @ w2.T
            products += clock() - t
            dh[hid <= 0] = 0.0
            t = clock()
            g2 = hid.T @ z
            products += clock() - t
            w2 -= g2
            b2 -= z.sum(axis=0)
            t = clock()
            g1 = xb.T @ dh
            products += clock() - t
            w1 -= g1
            b1 -= dh.sum(axis=0)
        total = clock() - t0
        print(f"epoch {total:.3f} s, of which products {products:.3f} s ({100 * products / total:.0f}%)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
