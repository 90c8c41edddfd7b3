/**
 * Cortex's row of the gpt section (issue 13): the character-level GPT of examples/char-gpt.ts
 * (nanoGPT's CPU configuration) on Debian's `fortunes`, written with the public API as a user
 * would (`GPT`, `CharTokenizer`, `SequenceDataset`, `AdamW`, `LinearWarmup` into
 * `CosineAnnealingLR`, `nextTokenStep` with clipping), timed step by step.
 * @module
 */
import {
  AdamW,
  CharTokenizer,
  CosineAnnealingLR,
  GPT,
  Generator,
  LinearWarmup,
  nextTokenStep,
  SequenceDataset,
  splitTokens,
} from 'cortex-nn';
import { readFortunes } from 'cortex-nn/node';
import type { PeerAnswer } from '../lib/peer.js';
import type { GptSettings } from '../lib/protocol.js';
import { median } from '../lib/timing.js';

/** Trains `s.warmupSteps + s.steps` steps; the wall time of each of the last `s.steps` is kept. */
export function gpt(s: GptSettings): PeerAnswer['payload'] {
  const corpus = readFortunes(s.corpusDir);
  const tok = CharTokenizer.fromText(corpus.text);
  const { train } = splitTokens(tok.encode(corpus.text), 0.9);
  const data = new SequenceDataset(train, s.blockSize);
  const g = new Generator(s.seed);
  const model = new GPT(
    { vocabSize: tok.vocabSize, blockSize: s.blockSize, nLayer: s.nLayer, nHead: s.nHead, nEmbd: s.nEmbd, dropout: 0, bias: false },
    { generator: g },
  );
  const opt = new AdamW(model.paramGroups(0.1), { lr: s.learningRate, betas: [0.9, 0.99], eps: 1e-8 });
  const warmup = Math.min(100, Math.max(1, Math.floor(s.scheduleSteps / 20)));
  const scheduler = new LinearWarmup(opt, {
    warmupSteps: warmup,
    after: (o) => new CosineAnnealingLR(o, { tMax: Math.max(1, s.scheduleSteps - warmup), etaMin: 1e-4 }),
  });
  const ms: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < s.warmupSteps + s.steps; i++) {
    const t0 = performance.now();
    const loss = nextTokenStep(model, data.sample(s.batchSize, g), opt, { clipNorm: 1, scheduler });
    // Reading the loss is part of a user's step (a progress line), and it waits for nothing more.
    const value = loss.item();
    if (i >= s.warmupSteps) {
      ms.push(performance.now() - t0);
      losses.push(value);
    }
  }
  const last = losses.slice(-10);
  return {
    gpt: {
      msPerStepMedian: median(ms),
      msPerStepMean: ms.reduce((a, b) => a + b, 0) / ms.length,
      stepsTimed: ms.length,
      finalLoss: last.reduce((a, b) => a + b, 0) / last.length,
      parameters: model.numParams(),
    },
  };
}
