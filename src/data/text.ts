/**
 * Text for language models: a character tokenizer, a fixed train/validation split of a token
 * array, and random windows of `blockSize` tokens with next-token targets (nanoGPT's
 * `get_batch`).
 * @module
 */
import { Tensor } from '../autograd/tensor.js';
import { ArgumentError, DataError, UnknownCharacterError } from '../errors.js';
import { type Generator, getDefaultGenerator } from '../tensor/random.js';

/** Options of {@link CharTokenizer}. */
export interface CharTokenizerOptions {
  /**
   * A character that stands for every character outside the vocabulary. Without it,
   * `encode` raises {@link UnknownCharacterError} on such a character. It is added to the
   * vocabulary when the text does not contain it.
   */
  unknownToken?: string;
}

/** The JSON form of a {@link CharTokenizer} (see {@link CharTokenizer.toJSON}). */
export interface CharTokenizerJSON {
  type: 'CharTokenizer';
  version: 1;
  /** The vocabulary: the character of each id, in id order. */
  chars: string[];
  /** The unknown token, or null. */
  unknownToken: string | null;
}

/** True when `s` is exactly one code point. */
function isOneChar(s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length > 2) return false;
  return s.codePointAt(0)! > 0xffff ? s.length === 2 : s.length === 1;
}

/**
 * A character-level tokenizer: each distinct character (Unicode code point) of a text is one
 * token, with ids in code-point order (as nanoGPT's `sorted(set(text))`).
 *
 * @example
 * ```ts
 * const tok = CharTokenizer.fromText('hello world');
 * const ids = tok.encode('hello'); // Int32Array [3, 2, 4, 4, 5]
 * tok.decode(ids); // 'hello'
 * const again = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
 * ```
 */
export class CharTokenizer {
  /** The character of each id. */
  readonly chars: readonly string[];
  /** The character that stands for characters outside the vocabulary, or null. */
  readonly unknownToken: string | null;
  private readonly ids = new Map<number, number>();
  private readonly unknownId: number;

  /**
   * @param chars - the vocabulary, one character per id, each at most once.
   * @param options - the unknown token (which must be in `chars`).
   */
  constructor(chars: readonly string[], options: CharTokenizerOptions = {}) {
    if (chars.length === 0) throw new ArgumentError('CharTokenizer: the vocabulary is empty');
    chars.forEach((c, i) => {
      if (!isOneChar(c)) throw new ArgumentError(`CharTokenizer: vocabulary entry ${i} must be one character, got ${JSON.stringify(c)}`);
      const code = c.codePointAt(0)!;
      if (this.ids.has(code)) throw new ArgumentError(`CharTokenizer: character ${JSON.stringify(c)} appears twice in the vocabulary`);
      this.ids.set(code, i);
    });
    this.chars = Object.freeze([...chars]);
    const unk = options.unknownToken;
    if (unk !== undefined && !isOneChar(unk)) {
      throw new ArgumentError(`CharTokenizer: unknownToken must be one character, got ${JSON.stringify(unk)}`);
    }
    this.unknownToken = unk ?? null;
    this.unknownId = unk === undefined ? -1 : (this.ids.get(unk.codePointAt(0)!) ?? -1);
    if (unk !== undefined && this.unknownId < 0) {
      throw new ArgumentError(`CharTokenizer: unknownToken ${JSON.stringify(unk)} is not in the vocabulary`);
    }
  }

  /** Builds the vocabulary of `text`: its distinct characters in code-point order. */
  static fromText(text: string, options: CharTokenizerOptions = {}): CharTokenizer {
    const codes = new Set<number>();
    for (const c of text) codes.add(c.codePointAt(0)!);
    if (options.unknownToken !== undefined && isOneChar(options.unknownToken)) codes.add(options.unknownToken.codePointAt(0)!);
    if (codes.size === 0) throw new ArgumentError('CharTokenizer.fromText: the text is empty');
    const chars = [...codes].sort((a, b) => a - b).map((c) => String.fromCodePoint(c));
    return new CharTokenizer(chars, options);
  }

  /** The number of tokens. */
  get vocabSize(): number {
    return this.chars.length;
  }

  /** True when `char` is in the vocabulary. */
  has(char: string): boolean {
    return this.ids.has(char.codePointAt(0) ?? -1);
  }

  /**
   * The ids of `text`'s characters. A character outside the vocabulary becomes the unknown
   * token when there is one, and is an {@link UnknownCharacterError} otherwise.
   */
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    let n = 0;
    for (const c of text) {
      const id = this.ids.get(c.codePointAt(0)!);
      if (id !== undefined) out[n] = id;
      else if (this.unknownId >= 0) out[n] = this.unknownId;
      else {
        throw new UnknownCharacterError(
          `CharTokenizer.encode: character ${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) at position ${n} is not in the vocabulary of ${this.vocabSize} characters; build the tokenizer with { unknownToken } to map such characters to one token`,
          c,
          n,
        );
      }
      n++;
    }
    return n === out.length ? out : out.slice(0, n);
  }

  /** The text of `ids` (numbers, or an int32 tensor of any shape, read in row-major order). */
  decode(ids: ArrayLike<number> | Tensor): string {
    const values = ids instanceof Tensor ? ids.dataSync() : ids;
    let s = '';
    for (let i = 0; i < values.length; i++) {
      const id = values[i]!;
      const c = Number.isInteger(id) ? this.chars[id] : undefined;
      if (c === undefined) throw new ArgumentError(`CharTokenizer.decode: id ${id} at position ${i} is not in [0, ${this.vocabSize})`);
      s += c;
    }
    return s;
  }

  /** The vocabulary as JSON; {@link CharTokenizer.fromJSON} reads it back. */
  toJSON(): CharTokenizerJSON {
    return { type: 'CharTokenizer', version: 1, chars: [...this.chars], unknownToken: this.unknownToken };
  }

  /** Rebuilds a tokenizer from {@link CharTokenizer.toJSON}'s output, checking every field. */
  static fromJSON(json: unknown): CharTokenizer {
    const o = json as Partial<CharTokenizerJSON> | null;
    if (typeof o !== 'object' || o === null || o.type !== 'CharTokenizer') {
      throw new DataError(`CharTokenizer.fromJSON: expected an object with type 'CharTokenizer', got ${JSON.stringify(o)?.slice(0, 80) ?? String(o)}`);
    }
    if (o.version !== 1) throw new DataError(`CharTokenizer.fromJSON: unsupported version ${JSON.stringify(o.version)}; this reader knows version 1`);
    if (!Array.isArray(o.chars) || !o.chars.every(isOneChar)) {
      throw new DataError('CharTokenizer.fromJSON: chars must be a list of single characters');
    }
    const unk = o.unknownToken;
    if (unk !== null && unk !== undefined && !isOneChar(unk)) {
      throw new DataError(`CharTokenizer.fromJSON: unknownToken must be one character or null, got ${JSON.stringify(unk)}`);
    }
    try {
      return new CharTokenizer(o.chars, unk === null || unk === undefined ? {} : { unknownToken: unk });
    } catch (e) {
      throw new DataError(`CharTokenizer.fromJSON: ${(e as Error).message}`);
    }
  }
}

/**
 * nanoGPT's fixed split: the first `trainFraction` of the tokens (rounded down) for training,
 * the rest for validation. Both are views of `tokens` (no copy).
 *
 * @example
 * ```ts
 * const { train, val } = splitTokens(tok.encode(text)); // 90 / 10
 * ```
 */
export function splitTokens(tokens: Int32Array, trainFraction = 0.9): { train: Int32Array; val: Int32Array } {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new ArgumentError(`splitTokens: trainFraction must be in (0, 1), got ${trainFraction}`);
  }
  const n = Math.floor(tokens.length * trainFraction);
  return { train: tokens.subarray(0, n), val: tokens.subarray(n) };
}

/** A batch of token windows: inputs `x` and next-token targets `y`, both int32 `[batch, blockSize]`. */
export interface TokenBatch {
  x: Tensor;
  y: Tensor;
}

/**
 * The windows of `blockSize` tokens of a token array: window `i` is `tokens[i : i+blockSize]`
 * and its targets are the same window shifted by one, `tokens[i+1 : i+blockSize+1]`.
 *
 * @example
 * ```ts
 * const ds = new SequenceDataset(train, 64);
 * const { x, y } = ds.sample(12, new Generator(1337)); // x, y: int32 [12, 64]
 * ```
 */
export class SequenceDataset {
  constructor(
    readonly tokens: Int32Array,
    readonly blockSize: number,
  ) {
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      throw new ArgumentError(`SequenceDataset: blockSize must be a positive integer, got ${blockSize}`);
    }
    if (tokens.length < blockSize + 1) {
      throw new DataError(`SequenceDataset: ${tokens.length} tokens are too few for one window of ${blockSize} tokens and its target (need ${blockSize + 1})`);
    }
  }

  /** The number of windows (start positions). */
  get length(): number {
    return this.tokens.length - this.blockSize;
  }

  /** Window `i` and its targets. */
  get(i: number): { x: Int32Array; y: Int32Array } {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new ArgumentError(`SequenceDataset.get: index ${i} is not in [0, ${this.length})`);
    }
    return { x: this.tokens.slice(i, i + this.blockSize), y: this.tokens.slice(i + 1, i + 1 + this.blockSize) };
  }

  /** The windows starting at `starts`, stacked into a batch. */
  batch(starts: ArrayLike<number>): TokenBatch {
    const t = this.blockSize;
    const b = starts.length;
    const x = new Int32Array(b * t);
    const y = new Int32Array(b * t);
    for (let r = 0; r < b; r++) {
      const s = starts[r]!;
      if (!Number.isInteger(s) || s < 0 || s >= this.length) {
        throw new ArgumentError(`SequenceDataset.batch: start ${s} is not in [0, ${this.length})`);
      }
      x.set(this.tokens.subarray(s, s + t), r * t);
      y.set(this.tokens.subarray(s + 1, s + 1 + t), r * t);
    }
    return { x: new Tensor(x, [b, t]), y: new Tensor(y, [b, t]) };
  }

  /** `batchSize` windows at uniformly random starts drawn from `generator` (nanoGPT's `get_batch`). */
  sample(batchSize: number, generator: Generator = getDefaultGenerator()): TokenBatch {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ArgumentError(`SequenceDataset.sample: batchSize must be a positive integer, got ${batchSize}`);
    }
    const starts = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) starts[i] = generator.nextInt(0, this.length);
    return this.batch(starts);
  }
}

/** Options of {@link textBatches}. */
export interface TextBatchesOptions {
  /** Tokens per window. */
  blockSize: number;
  /** Windows per batch. */
  batchSize: number;
  /** Where the random starts come from (default: the global generator). */
  generator?: Generator;
  /** How many batches to yield (default: without end). */
  batches?: number;
}

/**
 * Random batches of windows from a token array, without end unless `batches` is given.
 *
 * @example
 * ```ts
 * const it = textBatches(train, { blockSize: 64, batchSize: 12, generator: new Generator(1337) });
 * const { x, y } = it.next().value!;
 * ```
 */
export function* textBatches(tokens: Int32Array, options: TextBatchesOptions): IterableIterator<TokenBatch> {
  const ds = new SequenceDataset(tokens, options.blockSize);
  const g = options.generator ?? getDefaultGenerator();
  const limit = options.batches ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) throw new ArgumentError(`textBatches: batches must be a non-negative integer, got ${options.batches}`);
  for (let i = 0; i < limit; i++) yield ds.sample(options.batchSize, g);
}
