"""Shared helpers for the Python peers of `npm run bench`.

A peer is started as `/usr/bin/python3 <peer>.py '<job json>'` and prints one line
`@@BENCH-RESULT {json}` on stdout (see bench/lib/protocol.ts for the fields).
"""
import gzip
import io
import json
import os
import resource
import statistics
import struct
import sys
import time
import traceback
from contextlib import redirect_stdout

RESULT_MARKER = "@@BENCH-RESULT "


def max_rss_mb():
    """Peak resident set size of this process in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb():
    """Current resident set size in MB, from /proc/self/statm."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024.0 * 1024.0)
    except OSError:
        return float("nan")


def blas_summary():
    """One line naming the BLAS library, its core type and thread count, as threadpoolctl sees it."""
    try:
        import threadpoolctl

        parts = []
        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") != "blas":
                continue
            parts.append(
                "%s %s (%s), core %s, %s threads, %s"
                % (
                    info.get("internal_api"),
                    info.get("version"),
                    info.get("threading_layer"),
                    info.get("architecture"),
                    info.get("num_threads"),
                    info.get("filepath"),
                )
            )
        if parts:
            return "BLAS (threadpoolctl): " + "; ".join(parts)
    except Exception:  # threadpoolctl is optional
        pass
    try:
        import numpy as np

        buf = io.StringIO()
        with redirect_stdout(buf):
            np.show_config()
        libs = sorted({line.split("=", 1)[1].strip() for line in buf.getvalue().splitlines() if "libraries" in line})
        return "BLAS (np.show_config): " + ", ".join(libs)
    except Exception as err:
        return "BLAS: unknown (%s)" % err


def openblas_env_note():
    """Says whether the OPENBLAS_* tuning variables reached this process."""
    seen = ["%s=%s" % (k, os.environ[k]) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ]
    return "env: " + (", ".join(seen) if seen else "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset")


def time_it(fn, policy):
    """Warm-up calls, then repetitions until minReps and the time budget are met; median in ms."""
    warm, i = time.perf_counter(), 0
    while i < policy["warmup"] or (time.perf_counter() - warm) * 1000.0 < policy["warmupMs"]:
        fn()
        i += 1
    samples = []
    start = time.perf_counter()
    while len(samples) < policy["maxReps"]:
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
        if len(samples) >= policy["minReps"] and (time.perf_counter() - start) * 1000.0 >= policy["budgetMs"]:
            break
    return statistics.median(samples), len(samples)


def time_epochs(step, opts, sync=lambda: None):
    """Same scheme as timeEpochs in bench/lib/timing.ts: warm-up, calibrate a block, median per epoch."""
    for _ in range(opts["warmupEpochs"]):
        step()
    sync()
    per_block = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(per_block):
            step()
        sync()
        dt = (time.perf_counter() - t0) * 1000.0
        if dt >= opts["blockMs"] / 4 or per_block >= 1 << 20:
            per_block = max(1, round(per_block * opts["blockMs"] / max(dt, 1e-3)))
            break
        per_block *= 4
    samples = []
    for _ in range(opts["blocks"]):
        t0 = time.perf_counter()
        for _ in range(per_block):
            step()
        sync()
        samples.append((time.perf_counter() - t0) * 1000.0 / per_block)
    return statistics.median(samples), per_block * opts["blocks"]


def read_idx(path):
    """Reads an unsigned-byte IDX file (gzipped or not) into a numpy uint8 array."""
    import numpy as np

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion(data_dir, train_limit):
    """Fashion-MNIST as float32 [n, 784] in [0, 1] and int64 labels."""
    import numpy as np

    def images(name, limit=None):
        x = read_idx(os.path.join(data_dir, name))
        x = x.reshape(x.shape[0], -1)[:limit].astype(np.float32)
        x /= np.float32(255.0)  # in place, so the peak RSS holds one float copy
        return x

    def labels(name, limit=None):
        return read_idx(os.path.join(data_dir, name))[:limit].astype(np.int64)

    return (
        images("train-images-idx3-ubyte.gz", train_limit),
        labels("train-labels-idx1-ubyte.gz", train_limit),
        images("t10k-images-idx3-ubyte.gz"),
        labels("t10k-labels-idx1-ubyte.gz"),
    )


def mlp_result(epoch_seconds, accuracies, rss, train_n, test_n):
    return {
        "mlp": {
            "epochSeconds": epoch_seconds,
            "secondsPer60k": statistics.median(epoch_seconds) * 60000.0 / train_n,
            "testAccuracy": accuracies,
            "rssAfterEpochMB": rss,
            "trainSamples": int(train_n),
            "testSamples": int(test_n),
        }
    }


def run_peer(handler):
    """Parses the job from argv, runs handler(job) -> (notes, payload) and prints the result line."""
    try:
        job = json.loads(sys.argv[1])
        notes, payload = handler(job)
        result = {"notes": notes, "maxRssMB": max_rss_mb(), "payload": payload}
        sys.stdout.write("\n" + RESULT_MARKER + json.dumps(result) + "\n")
        sys.stdout.flush()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
