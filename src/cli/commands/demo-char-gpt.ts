/**
 * `cortex demo char-gpt [--iters N] [--data-dir D] [--out file]`: a character-level GPT trained
 * for about a minute on Debian's `fortunes`, printing the validation loss as it falls and samples
 * at the end. The model is nanoGPT's at a sixteenth of the CPU configuration's work per step
 * (2 layers, 4 heads, width 64, context 32); examples/char-gpt.ts trains the full one.
 * Without the package it says which one to install and trains on a small built-in text.
 * @module
 */
import { Tensor } from '../../autograd/tensor.js';
import { TINY_TEXT } from '../../data/builtin/tiny-text.js';
import { readFortunes } from '../../data/node/fortunes.js';
import { CharTokenizer, SequenceDataset, splitTokens, textBatches } from '../../data/text.js';
import { DataError } from '../../errors.js';
import { deserializeModel, serializeModel } from '../../io/model-file.js';
import { save } from '../../io/node/files.js';
import { GPT } from '../../nn/gpt.js';
import { AdamW } from '../../optim/adam.js';
import { CosineAnnealingLR } from '../../optim/scheduler.js';
import { Generator } from '../../tensor/random.js';
import { generate } from '../../train/generate.js';
import { estimateLoss, nextTokenStep } from '../../train/lm-loss.js';
import { UsageError } from '../errors.js';
import type { Output } from '../style.js';

/** Flags of the char-gpt demo. */
export interface CharGptFlags {
  iters?: string;
  dataDir?: string;
  out?: string;
}

/** Optimizer steps by default. */
export const CHAR_GPT_ITERS = 400;
/** The demo's model shape (nanoGPT's layout). */
const SHAPE = { blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 64 } as const;
const SEED = 1337;
const BATCH = 12;

/** The fortunes corpus, or the built-in text with a note saying what to install. */
function corpus(out: Output, dir: string | undefined): { text: string; source: string } {
  try {
    const c = readFortunes(dir);
    return { text: c.text, source: `fortunes (${c.files.length} files)` };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    if (dir !== undefined) throw e;
    out.warn('the fortunes corpus is not installed: `sudo apt-get install fortunes` (or scripts/install-peers.sh) gives 2.6 MB of English text; training on the small built-in text instead');
    return { text: TINY_TEXT, source: 'built-in sayings (install the fortunes package for the real corpus)' };
  }
}

function parseIters(v: string | undefined): number {
  if (v === undefined) return CHAR_GPT_ITERS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`--iters must be a whole number from 1 to 1000000, got "${v}"`);
  return n;
}

/** Runs `cortex demo char-gpt`. */
export async function charGptDemo(out: Output, flags: CharGptFlags): Promise<void> {
  const iters = parseIters(flags.iters);
  const { text, source } = corpus(out, flags.dataDir);
  const tok = CharTokenizer.fromText(text);
  const { train, val } = splitTokens(tok.encode(text));
  const g = new Generator(SEED);
  const model = new GPT({ vocabSize: tok.vocabSize, ...SHAPE }, { generator: g });
  out.note(`${out.c.bold('data')}    ${source}: ${text.length.toLocaleString('en-US')} characters, ${tok.vocabSize} distinct; ${train.length.toLocaleString('en-US')} to train on, ${val.length.toLocaleString('en-US')} to validate`);
  out.line(`${out.c.bold('model')}   GPT, ${SHAPE.nLayer} layers × ${SHAPE.nHead} heads, width ${SHAPE.nEmbd}, context ${SHAPE.blockSize}: ${model.numParams().toLocaleString('en-US')} parameters; AdamW lr 1e-3 → 1e-4 (cosine), batch ${BATCH}, ${iters} steps`);
  out.line();

  const opt = new AdamW(model.paramGroups(0.1), { lr: 1e-3, betas: [0.9, 0.99] });
  const sched = new CosineAnnealingLR(opt, { tMax: iters, etaMin: 1e-4 });
  const valSet = new SequenceDataset(val, SHAPE.blockSize);
  const every = Math.max(1, Math.round(iters / 6));
  const history: { step: number; trainLoss: number; valLoss: number; seconds: number }[] = [];
  const started = performance.now();
  let recent = 0;
  let step = 0;
  out.line('step   train loss   val loss   time');
  for (const batch of textBatches(train, { blockSize: SHAPE.blockSize, batchSize: BATCH, generator: g, batches: iters })) {
    const loss = nextTokenStep(model, batch, opt, { clipNorm: 1, scheduler: sched });
    step++;
    recent += loss.item();
    if (step % every === 0 || step === iters) {
      const n = step % every === 0 ? every : step % every;
      const rec = { step, trainLoss: recent / n, valLoss: estimateLoss(model, valSet, { batches: 4, batchSize: BATCH, generator: g }), seconds: (performance.now() - started) / 1000 };
      history.push(rec);
      recent = 0;
      out.line(`${String(step).padStart(4)}   ${rec.trainLoss.toFixed(4).padStart(10)}   ${rec.valLoss.toFixed(4).padStart(8)}   ${rec.seconds.toFixed(1)} s`);
    }
  }

  const samples: string[] = [];
  for (let i = 0; i < 2; i++) {
    const ids = generate(model, new Tensor(tok.encode('%\n'), [1, 2]), { maxNewTokens: 200, temperature: 0.8, topK: 40, generator: g });
    samples.push(tok.decode(ids).slice(2));
  }
  const info = { training: { data: source, iters, batchSize: BATCH, seed: SEED, tokenizer: { ...tok.toJSON() } }, metrics: { valLoss: history.at(-1)?.valLoss ?? null } };
  const bytes = serializeModel(model, info);
  const probe = new Tensor(tok.encode(text.slice(0, 16)), [1, 16]);
  const again = deserializeModel(bytes, 'demo').model;
  const want = model.forward(probe).dataSync();
  const same = Array.from(again.forward(probe).dataSync()).every((v, i) => v === want[i]);
  if (flags.out !== undefined) await save(model, flags.out, info);
  if (out.json) {
    out.result({ command: 'demo', demo: 'char-gpt', data: source, iters, parameters: model.numParams(), history, samples, roundTrip: same, saved: flags.out ?? null });
    return;
  }
  out.line();
  samples.forEach((s, i) => {
    out.line(out.c.bold(`sample ${i + 1}`) + out.c.dim(' (temperature 0.8, top-k 40)'));
    out.line(s);
    out.line();
  });
  out.line(`model file: ${bytes.length.toLocaleString('en-US')} bytes; reloaded, outputs ${same ? 'bit-identical' : 'DIFFERENT'}${flags.out === undefined ? '' : `; saved ${flags.out}`}`);
}
