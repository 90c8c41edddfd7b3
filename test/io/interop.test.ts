import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { save } from '../../src/io/node/files.js';
import { Linear, ReLU, Sequential } from '../../src/nn/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = '/usr/bin/python3';
const hasNumpy = existsSync(python) && (() => {
  try {
    execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// The reader from docs/format.md: plain Python and numpy, no Cortex code.
const reader = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
doc = json.loads(header["__metadata__"]["cortex"])
data = raw[8 + n:]
out = {"layers": [c["type"] for c in doc["architecture"]["children"]], "tensors": {}}
for name, t in header.items():
    if name != "__metadata__":
        b, e = t["data_offsets"]
        out["tensors"][name] = np.frombuffer(data[b:e], "<f4").reshape(t["shape"]).tolist()
print(json.dumps(out))
`;

it.skipIf(!hasNumpy)('a model file is readable by an independent safetensors reader (Python + numpy)', async () => {
  const model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
  const path = join(dir, 'm.cortex');
  await save(model, path);
  const out = JSON.parse(execFileSync(python, ['-c', reader, path], { encoding: 'utf8' }));
  expect(out.layers).toEqual(['Linear', 'ReLU', 'Linear']);
  for (const [name, p] of model.namedParameters()) {
    expect(out.tensors[name].flat()).toEqual(Array.from(p.dataSync()));
  }
});
