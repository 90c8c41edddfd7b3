/**
 * A character-level GPT on English text (Debian's `fortunes`), nanoGPT's CPU configuration
 * of train_shakespeare_char:
 *
 *   4 layers, 4 heads, width 128, context 64 characters, no biases, dropout 0 (0.80 M parameters);
 *   batch 12, 2,000 steps of AdamW (lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on the 2-D
 *   weights only), 100 warm-up steps then cosine decay to 1e-4, gradient clipping at norm 1;
 *   the validation loss is the mean of 20 random batches, every 250 steps.
 *
 * The corpus is every fortune file in code-point order with the `%` separators kept, split
 * 90/10 (see `readFortunes`). bench/python/char_gpt.py trains the same model on the same data
 * in PyTorch. At the end it prints samples (temperature 0.8, top-k 40) and saves the model
 * (with its tokenizer in `training.tokenizer`) as `char-gpt.cortex`.
 *
 * Needs Debian's `fortunes` package (`sudo apt-get install fortunes`, or scripts/install-peers.sh).
 *
 * Run: npx tsx examples/char-gpt.ts                       (2,000 steps, a few minutes)
 *      npx tsx examples/char-gpt.ts --iters 200 --eval-interval 50 --out /tmp/gpt.cortex
 *      npx tsx examples/char-gpt.ts --threads 1 --json   (the BENCHMARKS.md run)
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  AdamW,
  CharTokenizer,
  CosineAnnealingLR,
  estimateLoss,
  generate,
  Generator,
  GPT,
  LinearWarmup,
  setNumThreads,
  nextTokenStep,
  SequenceDataset,
  splitTokens,
  Tensor,
} from '../src/index.js';
import { readFortunes, save } from '../src/node.js';

/** Options of {@link run}. */
export interface CharGptOptions {
  /** Optimizer steps (default 2,000). */
  iters?: number;
  /** Steps between validation estimates (default 250). */
  evalInterval?: number;
  /** Batches per estimate (default 20). */
  evalIters?: number;
  /** Folder of the fortune files (default: Debian's). */
  dataDir?: string;
  /** Where to save the model; null saves nothing (default `char-gpt.cortex`). */
  out?: string | null;
  /** Seed of the weights, the batches and the samples (default 1337). */
  seed?: number;
  /** Characters per printed sample (default 300). */
  sampleChars?: number;
  /** Where progress lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** One validation estimate. */
export interface LossRecord {
  step: number;
  train: number;
  val: number;
  /** Seconds since training started. */
  seconds: number;
}

/** What the example reports. */
export interface CharGptResult {
  history: LossRecord[];
  finalVal: number;
  /** Wall time of the whole run (training and estimates), in seconds. */
  seconds: number;
  parameters: number;
  vocabSize: number;
  samples: string[];
  path: string | null;
}

/** nanoGPT's CPU configuration. */
export const CONFIG = { blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: false, batchSize: 12 } as const;

/** Trains the model and returns its loss history and samples. */
export async function run(options: CharGptOptions = {}): Promise<CharGptResult> {
  const { iters = 2000, evalInterval = 250, evalIters = 20, seed = 1337, sampleChars = 300 } = options;
  const log = options.log ?? ((): void => {});
  const out = options.out === undefined ? 'char-gpt.cortex' : options.out;

  const corpus = readFortunes(options.dataDir);
  const tok = CharTokenizer.fromText(corpus.text);
  const { train, val } = splitTokens(tok.encode(corpus.text), 0.9);
  log(`corpus: ${corpus.files.length} files, ${corpus.text.length} characters, vocabulary ${tok.vocabSize}, train ${train.length}, val ${val.length} tokens`);
  const trainSet = new SequenceDataset(train, CONFIG.blockSize);
  const valSet = new SequenceDataset(val, CONFIG.blockSize);

  const g = new Generator(seed);
  const model = new GPT({ vocabSize: tok.vocabSize, ...CONFIG }, { generator: g });
  log(`parameters: ${(model.numParams() / 1e6).toFixed(2)} M (without the position embeddings)`);

  // Weight decay on the matrices (Linear and Embedding weights), none on the LayerNorm scales.
  const opt = new AdamW(model.paramGroups(0.1), { lr: 1e-3, betas: [0.9, 0.99], eps: 1e-8 });
  const warmup = Math.min(100, Math.max(1, Math.floor(iters / 20)));
  const sched = new LinearWarmup(opt, {
    warmupSteps: warmup,
    after: (o) => new CosineAnnealingLR(o, { tMax: Math.max(1, iters - warmup), etaMin: 1e-4 }),
  });

  const history: LossRecord[] = [];
  const start = performance.now();
  const elapsed = (): number => (performance.now() - start) / 1000;
  const estimate = (step: number): void => {
    const e = { batches: evalIters, batchSize: CONFIG.batchSize, generator: g };
    const rec = { step, train: estimateLoss(model, trainSet, e), val: estimateLoss(model, valSet, e), seconds: elapsed() };
    history.push(rec);
    log(`step ${String(step).padStart(5)}: train ${rec.train.toFixed(4)}, val ${rec.val.toFixed(4)}  (${rec.seconds.toFixed(1)} s)`);
  };
  for (let it = 0; it < iters; it++) {
    if (it % evalInterval === 0) estimate(it);
    nextTokenStep(model, trainSet.sample(CONFIG.batchSize, g), opt, { clipNorm: 1, scheduler: sched });
  }
  estimate(iters);
  const seconds = elapsed();

  const samples: string[] = [];
  for (let i = 0; i < 2; i++) {
    const ids = generate(model, new Tensor(tok.encode('%\n'), [1, 2]), { maxNewTokens: sampleChars, temperature: 0.8, topK: 40, generator: g });
    samples.push(tok.decode(ids).slice(2));
    log(`--- sample ${i + 1} ---\n${samples[i]}`);
  }
  if (out !== null) {
    await save(model, out, {
      training: { seed, iters, batchSize: CONFIG.batchSize, corpus: 'fortunes', tokenizer: { ...tok.toJSON() } },
      metrics: { valLoss: history.at(-1)!.val },
    });
    log(`saved ${out}`);
  }
  return { history, finalVal: history.at(-1)!.val, seconds, parameters: model.numParams(), vocabSize: tok.vocabSize, samples, path: out };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      iters: { type: 'string' },
      'eval-interval': { type: 'string' },
      'eval-iters': { type: 'string' },
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  try {
    if (values.threads !== undefined) await setNumThreads(Number(values.threads));
    const r = await run({
      iters: num(values.iters),
      evalInterval: num(values['eval-interval']),
      evalIters: num(values['eval-iters']),
      dataDir: values['data-dir'],
      out: values.out,
      seed: num(values.seed),
      log: (l) => console.log(l),
    });
    console.log(`final val loss ${r.finalVal.toFixed(4)} after ${r.seconds.toFixed(1)} s`);
    if (values.json === true) console.log(JSON.stringify({ impl: 'cortex', finalVal: r.finalVal, seconds: r.seconds, history: r.history }));
  } catch (e) {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    process.exitCode = 1;
  }
}
