/**
 * The contract between the benchmark harness and its peers.
 *
 * Every peer runs in its own child process, so that its peak RSS is its own and a
 * crash cannot take the harness down. The harness passes one {@link Job} as JSON in
 * the first command-line argument; the peer prints exactly one line that starts with
 * {@link RESULT_MARKER} followed by a JSON {@link PeerResult}. Anything else the peer
 * prints is diagnostics. Python peers follow the same contract.
 * @module
 */

/**
 * Benchmark sections, in the order they run. `accuracy` trains the MLP again
 * with several seeds (the test accuracy of one SGD run at lr 0.1 swings by 2–3
 * points from epoch to epoch, so one run cannot compare two libraries); `leak`
 * trains Cortex's MLP for many epochs and watches its RSS (issue 5: no leaks,
 * RSS flat across 50 epochs); `cnn` trains the 2-conv CNN of examples/fashion-cnn.ts
 * (issue 12); `gpt` trains the character-level GPT of examples/char-gpt.ts for a few hundred
 * steps (issue 13).
 */
export const SECTIONS = ['sgemm', 'mlp', 'accuracy', 'tiny', 'leak', 'cnn', 'gpt'] as const;

/** One benchmark section. */
export type Section = (typeof SECTIONS)[number];

/** Prefix of the single result line a peer prints on stdout. */
export const RESULT_MARKER = '@@BENCH-RESULT ';

/** One matrix product to time: C[m,n] = op(A)·op(B), with `k` the shared dimension. */
export interface GemmShape {
  /** Short label for tables, such as `1024` or `dW = Xᵀ·dY`. */
  label: string;
  m: number;
  k: number;
  n: number;
  /** A is stored as [k, m] and used transposed. */
  transA: boolean;
  /** B is stored as [n, k] and used transposed. */
  transB: boolean;
}

/** Settings of the Fashion-MNIST MLP section. */
export interface MlpSettings {
  /** Directory holding the four IDX `.gz` files. */
  dataDir: string;
  /** Epochs to train (accuracy is reported after epoch 1 and after the last). */
  epochs: number;
  /** Training samples used per epoch; below 60000 the time is extrapolated to 60k. */
  trainLimit: number;
  batchSize: number;
  learningRate: number;
  hidden: number;
  seed: number;
}

/** Settings of the accuracy section: the MLP settings, trained once per seed. */
export interface AccuracySettings {
  mlp: MlpSettings;
  /** Seeds of the runs (initial weights and shuffling). */
  seeds: number[];
}

/** Settings of the seed's tiny network section. */
export interface TinySettings {
  samples: number;
  inputs: number;
  hidden: number;
  learningRate: number;
  /** Untimed epochs before measuring. */
  warmupEpochs: number;
  /** Timed blocks; the reported figure is the median block time divided by its epochs. */
  blocks: number;
  /** Target wall time of one block in milliseconds (epochs per block are calibrated to it). */
  blockMs: number;
  seed: number;
}

/** Settings of the sgemm section. */
export interface GemmSettings {
  shapes: GemmShape[];
  /** Untimed calls before measuring each shape (at least this many). */
  warmup: number;
  /** ...and untimed calls until this much time has passed, so short kernels reach their steady state. */
  warmupMs: number;
  minReps: number;
  maxReps: number;
  /** Stop adding repetitions once this much time was spent on a shape (after minReps). */
  budgetMs: number;
}

/** What the harness asks a peer to do. */
export type Job =
  | { section: 'sgemm'; variant: string; threads: number; settings: GemmSettings }
  | { section: 'mlp'; variant: string; threads: number; settings: MlpSettings }
  | { section: 'tiny'; variant: string; threads: number; settings: TinySettings }
  | { section: 'leak'; variant: string; threads: number; settings: MlpSettings }
  | { section: 'cnn'; variant: string; threads: number; settings: CnnSettings }
  | { section: 'gpt'; variant: string; threads: number; settings: GptSettings };

/** Timing of one matrix product. */
export interface GemmRow {
  label: string;
  medianMs: number;
  gflops: number;
  reps: number;
}

/** Outcome of an MLP run. */
export interface MlpResult {
  /** Wall seconds of each epoch over `trainSamples` samples. */
  epochSeconds: number[];
  /** Median epoch time scaled to 60 000 samples. */
  secondsPer60k: number;
  /** Test accuracy (0..1) after each epoch. */
  testAccuracy: number[];
  /** Resident set size in MB after each epoch (for leak checks). */
  rssAfterEpochMB: number[];
  trainSamples: number;
  testSamples: number;
}

/** Outcome of a tiny-network run. */
export interface TinyResult {
  msPerEpoch: number;
  epochsTimed: number;
  finalLoss: number;
}

/** Section-specific payload of a peer's answer. */
export type Payload = { gemm: GemmRow[] } | { mlp: MlpResult } | { tiny: TinyResult } | { cnn: CnnResult } | { gpt: GptResult };

// --- cnn section (issue 12) ---

/**
 * Settings of the cnn section: the CNN of examples/fashion-cnn.ts (Conv2d 1→32 3×3 pad 1, ReLU,
 * MaxPool 2, Conv2d 32→64 3×3 pad 1, ReLU, MaxPool 2, Flatten, Dropout 0.25, Linear 3136→128,
 * ReLU, Linear 128→10), Adam, softmax cross-entropy, on Fashion-MNIST.
 */
export interface CnnSettings {
  /** Directory holding the four IDX `.gz` files. */
  dataDir: string;
  /** Epochs over `trainLimit` samples. */
  epochs: number;
  /** Training samples per epoch; below 60000 the time is extrapolated to 60k. */
  trainLimit: number;
  /** Test samples the accuracy is measured on. */
  testLimit: number;
  /**
   * Peers too slow for a whole epoch (TF.js cpu) train only this many batches, once, and
   * extrapolate their time to 60k samples; their test accuracy is measured on `slowTestLimit`.
   */
  slowBatches: number;
  slowTestLimit: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** Outcome of a CNN run. */
export interface CnnResult {
  /** Wall seconds of each epoch (or of the limited batches) over `trainSamples` samples. */
  epochSeconds: number[];
  /** Median epoch time scaled to 60 000 samples. */
  secondsPer60k: number;
  /** Test accuracy (0..1) after each epoch, on `testSamples` images. */
  testAccuracy: number[];
  trainSamples: number;
  testSamples: number;
  /** True when only `slowBatches` batches were timed and the epoch time is extrapolated. */
  extrapolated: boolean;
}

// --- gpt section (issue 13) ---

/**
 * Settings of the gpt section: nanoGPT's CPU configuration of train_shakespeare_char as
 * examples/char-gpt.ts and bench/python/char_gpt.py run it (4 layers, 4 heads, width 128,
 * context 64, no biases, dropout 0; batch 12; AdamW lr 1e-3, betas (0.9, 0.99), weight decay 0.1
 * on the matrices; 100 warm-up steps then cosine decay; clipping at norm 1) on Debian's
 * `fortunes` corpus, for `steps` steps instead of 2,000: per-step time is what is compared.
 */
export interface GptSettings {
  /** The fortunes directory (Debian's `/usr/share/games/fortunes`). */
  corpusDir: string;
  /** Training steps timed, after `warmupSteps` untimed ones. */
  steps: number;
  warmupSteps: number;
  batchSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  learningRate: number;
  /** Steps of the full run the schedule is laid out for (2,000), so the first steps match it. */
  scheduleSteps: number;
  seed: number;
}

/** Outcome of a gpt run. */
export interface GptResult {
  /** Median and mean wall milliseconds of the timed steps. */
  msPerStepMedian: number;
  msPerStepMean: number;
  stepsTimed: number;
  /** Mean training loss of the last 10 timed steps. */
  finalLoss: number;
  /** Parameters of the model (without the position embeddings, as nanoGPT counts). */
  parameters: number;
}

/** What a peer prints after {@link RESULT_MARKER}. */
export interface PeerResult {
  /** Set when the peer could not run this job (missing package, module not yet written...). */
  skipped?: string;
  /** Free-form facts about the run: backend, BLAS, subset used... */
  notes: string[];
  /** Appended to the peer's label in tables, e.g. which Cortex backend ran. */
  tag?: string;
  /** Peak resident set size of the peer process, in MB. */
  maxRssMB: number;
  payload?: Payload;
}
