/** CharTokenizer, splitTokens, SequenceDataset and textBatches. */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CharTokenizer,
  DataError,
  Generator,
  SequenceDataset,
  splitTokens,
  textBatches,
  UnknownCharacterError,
} from '../../src/index.js';

describe('CharTokenizer', () => {
  it("builds the vocabulary in code-point order (nanoGPT's sorted(set(text))) and round-trips text", () => {
    const tok = CharTokenizer.fromText('hello world');
    expect(tok.chars).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(tok.vocabSize).toBe(8);
    expect(Array.from(tok.encode('hello'))).toEqual([3, 2, 4, 4, 5]);
    expect(tok.decode(tok.encode('world hello'))).toBe('world hello');
    expect(tok.decode([7, 5])).toBe('wo');
  });

  it('treats characters outside the BMP as one token each', () => {
    const tok = CharTokenizer.fromText('a😀b');
    expect(tok.vocabSize).toBe(3);
    expect(tok.encode('😀a').length).toBe(2);
    expect(tok.decode(tok.encode('b😀'))).toBe('b😀');
  });

  it('raises UnknownCharacterError naming the character and its position, or maps to the unknown token', () => {
    const tok = CharTokenizer.fromText('abc');
    let err: unknown;
    try {
      tok.encode('abxc');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownCharacterError);
    expect(err).toBeInstanceOf(DataError);
    expect((err as UnknownCharacterError).char).toBe('x');
    expect((err as UnknownCharacterError).index).toBe(2);
    expect((err as Error).message).toMatch(/character "x" \(U\+0078\) at position 2 is not in the vocabulary of 3 characters; build the tokenizer with \{ unknownToken \}/);

    const unk = CharTokenizer.fromText('abc', { unknownToken: '?' });
    expect(unk.vocabSize).toBe(4);
    expect(unk.decode(unk.encode('axb'))).toBe('a?b');
  });

  it('saves and loads as JSON, and refuses malformed JSON with a DataError', () => {
    const tok = CharTokenizer.fromText('the quick fox', { unknownToken: '~' });
    const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    expect(back.chars).toEqual(tok.chars);
    expect(back.unknownToken).toBe('~');
    expect(back.decode(back.encode('quiz'))).toBe('qui~');
    expect(() => CharTokenizer.fromJSON({ type: 'Other' })).toThrow(DataError);
    expect(() => CharTokenizer.fromJSON({ type: 'CharTokenizer', version: 2, chars: ['a'] })).toThrow(/unsupported version 2/);
    expect(() => CharTokenizer.fromJSON({ type: 'CharTokenizer', version: 1, chars: ['ab'], unknownToken: null })).toThrow(/single characters/);
    expect(() => CharTokenizer.fromJSON({ type: 'CharTokenizer', version: 1, chars: ['a', 'a'], unknownToken: null })).toThrow(/appears twice/);
  });

  it('refuses ids outside the vocabulary and empty texts', () => {
    const tok = CharTokenizer.fromText('ab');
    expect(() => tok.decode([0, 2])).toThrow(/id 2 at position 1 is not in \[0, 2\)/);
    expect(() => CharTokenizer.fromText('')).toThrow(ArgumentError);
  });
});

describe('splitTokens, SequenceDataset and textBatches', () => {
  const tokens = Int32Array.from({ length: 100 }, (_, i) => i);

  it("splits 90/10 as nanoGPT (first 90 %, rounded down), as views", () => {
    const { train, val } = splitTokens(tokens);
    expect(train.length).toBe(90);
    expect(val[0]).toBe(90);
    expect(train.buffer).toBe(tokens.buffer);
    expect(splitTokens(Int32Array.from({ length: 7 }), 0.9).train.length).toBe(6);
    expect(() => splitTokens(tokens, 1)).toThrow(/trainFraction must be in \(0, 1\)/);
  });

  it('gives windows with targets shifted by one', () => {
    const ds = new SequenceDataset(tokens, 8);
    expect(ds.length).toBe(92);
    const { x, y } = ds.get(5);
    expect(Array.from(x)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(y)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    const b = ds.batch([0, 91]);
    expect(b.x.shape).toEqual([2, 8]);
    expect(b.x.dtype).toBe('int32');
    expect(Array.from(b.y.dataSync()).slice(8)).toEqual([92, 93, 94, 95, 96, 97, 98, 99]);
    expect(() => ds.get(92)).toThrow(/index 92 is not in \[0, 92\)/);
    expect(() => new SequenceDataset(tokens.subarray(0, 8), 8)).toThrow(/8 tokens are too few for one window of 8 tokens/);
  });

  it('draws the same batches from the same seed, every target one after its input', () => {
    const a = [...textBatches(tokens, { blockSize: 4, batchSize: 3, generator: new Generator(9), batches: 5 })];
    const b = [...textBatches(tokens, { blockSize: 4, batchSize: 3, generator: new Generator(9), batches: 5 })];
    expect(a).toHaveLength(5);
    for (let i = 0; i < 5; i++) {
      const x = a[i]!.x.dataSync();
      const y = a[i]!.y.dataSync();
      expect(Array.from(x)).toEqual(Array.from(b[i]!.x.dataSync()));
      for (let j = 0; j < x.length; j++) expect(y[j]).toBe(x[j]! + 1);
    }
  });
});
