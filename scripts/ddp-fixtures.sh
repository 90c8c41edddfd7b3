#!/usr/bin/env bash
# Regenerates test/fixtures/bridge/ddp: a table with missing cells and categories (an unseen one
# in the evaluation file), a model trained on it by `cortex train`, the same model trained further
# by PyTorch DDP on two CPU processes (scripts/ddp_train.py) and written back, and the run's
# figures. test/io/torch-bridge.test.ts checks them without Python. Needs `npm run build` and
# Debian's python3-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
D=test/fixtures/bridge/ddp
mkdir -p "$D"
/usr/bin/python3 - "$D" <<'PY'
import math, random, sys
rng = random.Random(7)
plans, regions = ["basic", "pro", "team"], ["north", "south", "east", "west"]
def rows(n, unseen):
    out = ["customer_id,age,monthly_spend,plan,region,churn"]
    for i in range(n):
        age, spend = rng.uniform(18, 80), rng.lognormvariate(3.5, 0.6)
        plan = rng.choice(plans + (["enterprise"] if unseen else []))
        region = rng.choice(regions)
        score = 0.04 * (45 - age) + 0.02 * (spend - 40) + {"basic": 0.8, "pro": -0.3, "team": -0.9}.get(plan, 0) + (0.6 if region == "south" else 0)
        churn = "yes" if score + rng.gauss(0, 0.6) > 0 else "no"
        cells = [f"c{i:04d}", f"{age:.1f}", f"{spend:.2f}", plan, region, churn]
        if rng.random() < 0.06: cells[1] = rng.choice(["", "NA"])
        if rng.random() < 0.05: cells[3] = ""
        out.append(",".join(cells))
    return "\n".join(out) + "\n"
open(f"{sys.argv[1]}/train.csv", "w").write(rows(600, False))
open(f"{sys.argv[1]}/eval.csv", "w").write(rows(80, True))
PY
node dist/cli/main.js train "$D/train.csv" --target churn --layers 16,8 --epochs 2 --seed 3 --impute mean --out "$D/model.cortex" >/dev/null
# `--redirects 1 --tee 1`: Debian's torch 1.13 under Python 3.11 fails in torchrun's default
# redirect setting ('NoneType' object has no attribute 'get'); naming one avoids it.
torchrun --standalone --nproc_per_node=2 --redirects 1 --tee 1 scripts/ddp_train.py "$D/model.cortex" "$D/train.csv" \
  --epochs 30 --lr 0.003 --seed 5 --eval "$D/eval.csv" --out "$D/model.ddp.cortex" --report "$D/report.json"
