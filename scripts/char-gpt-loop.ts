/**
 * The training loop of `examples/char-gpt.ts` (its model, data, seed 1337, AdamW, warm-up and
 * cosine schedule, clipping at norm 1) built from a checkout's own sources, for the timing
 * scripts that compare checkouts (`char-gpt-steps.ts`, `char-gpt-ab.ts`).
 * @module
 */

/** Loads `root`'s `src/` and returns one training step of that checkout (it returns the loss). */
export async function charGptLoop(root: string, threads: number): Promise<() => number> {
  const C = (await import(`${root}/src/index.js`)) as typeof import('../src/index.js');
  const N = (await import(`${root}/src/node.js`)) as typeof import('../src/node.js');
  const { CONFIG } = (await import(`${root}/examples/char-gpt.ts`)) as typeof import('../examples/char-gpt.js');
  await C.setNumThreads(threads);
  const corpus = N.readFortunes();
  const tok = C.CharTokenizer.fromText(corpus.text);
  const { train } = C.splitTokens(tok.encode(corpus.text), 0.9);
  const trainSet = new C.SequenceDataset(train, CONFIG.blockSize);
  const g = new C.Generator(1337);
  const model = new C.GPT({ vocabSize: tok.vocabSize, ...CONFIG }, { generator: g });
  const opt = new C.AdamW(model.paramGroups(0.1), { lr: 1e-3, betas: [0.9, 0.99], eps: 1e-8 });
  const scheduler = new C.LinearWarmup(opt, {
    warmupSteps: 100,
    after: (o) => new C.CosineAnnealingLR(o, { tMax: 1900, etaMin: 1e-4 }),
  });
  return () => C.nextTokenStep(model, trainSet.sample(CONFIG.batchSize, g), opt, { clipNorm: 1, scheduler }).item();
}
