import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { crc32 } from '../../src/io/checksum.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { LIBRARY_VERSION } from '../../src/io/version.js';

function sample(): Uint8Array {
  return encodeSafetensors(
    [
      ['w', { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] }],
      ['b', { data: Float64Array.from([0.1, -0.2]), shape: [2] }],
      ['n', { data: Int32Array.from([7]), shape: [] }],
    ],
    { hello: 'world' },
  );
}

function expectFormatError(fn: () => unknown, text: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFormatError);
  expect((caught as Error).message).toMatch(text);
}

describe('safetensors layout', () => {
  it('writes the documented layout: u64 header length, JSON header, aligned data', () => {
    const bytes = sample();
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({ hello: 'world' });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.b).toEqual({ dtype: 'F64', shape: [2], data_offsets: [24, 40] });
    expect(header.n).toEqual({ dtype: 'I32', shape: [], data_offsets: [40, 44] });
    expect(bytes.length).toBe(8 + n + 44);
    expect(new DataView(bytes.buffer, 8 + n).getFloat32(4, true)).toBe(2);
  });

  it('round-trips every dtype exactly', () => {
    const out = decodeSafetensors(sample());
    expect(out.metadata).toEqual({ hello: 'world' });
    expect([...out.tensors.keys()]).toEqual(['w', 'b', 'n']);
    expect(Array.from(out.tensors.get('w')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.tensors.get('b')!.data).toBeInstanceOf(Float64Array);
    expect(Array.from(out.tensors.get('b')!.data)).toEqual([0.1, -0.2]);
    expect(out.tensors.get('n')!.shape).toEqual([]);
    expect(Array.from(out.tensors.get('n')!.data)).toEqual([7]);
  });

  it('rejects a file shorter than the length field', () => {
    expectFormatError(() => decodeSafetensors(new Uint8Array(5), 'm.cortex'), /m\.cortex: the file is 5 bytes long/);
  });

  it('rejects a truncated header and truncated data, saying how much is missing', () => {
    const bytes = sample();
    expectFormatError(() => decodeSafetensors(bytes.subarray(0, 20), 'm'), /truncated: the header needs \d+ bytes but only 12/);
    expectFormatError(() => decodeSafetensors(bytes.subarray(0, bytes.length - 3), 'm'), /truncated: the header describes 44 bytes of tensor data but only 41/);
  });

  it('rejects trailing bytes, bad JSON and implausible header lengths', () => {
    const bytes = sample();
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expectFormatError(() => decodeSafetensors(longer), /2 unexpected bytes after the tensor data/);
    const bad = bytes.slice();
    bad[8] = 0x21; // '!' instead of '{'
    expectFormatError(() => decodeSafetensors(bad), /the header is not valid JSON/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(4, 1, true);
    expectFormatError(() => decodeSafetensors(huge), /header length field .* is not plausible/);
  });

  it('checks each entry: dtype, shape against byte length, overlaps and gaps', () => {
    const edit = (fn: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void) => {
      const bytes = sample();
      const n = new DataView(bytes.buffer).getUint32(0, true);
      const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
      fn(h);
      const text = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + text.length + 44);
      new DataView(out.buffer).setUint32(0, text.length, true);
      out.set(text, 8);
      out.set(bytes.subarray(8 + n), 8 + text.length);
      return out;
    };
    expectFormatError(() => decodeSafetensors(edit((h) => (h.w!.dtype = 'BF16'))), /tensor 'w' .* dtype "BF16"/);
    expectFormatError(() => decodeSafetensors(edit((h) => (h.w!.shape = [3, 3]))), /tensor 'w' .* covers 24 bytes, but F32 shape \[3, 3\] needs 36/);
    expectFormatError(
      () =>
        decodeSafetensors(
          edit((h) => {
            h.b!.data_offsets = [20, 36];
            h.n!.data_offsets = [36, 40];
          }),
        ),
      /overlaps/,
    );
    expectFormatError(() => decodeSafetensors(edit((h) => (h.w!.shape = [2, -3]))), /invalid shape/);
  });

  it('refuses a tensor whose values do not fill its shape', () => {
    expect(() => encodeSafetensors([['x', { data: new Float32Array(3), shape: [2, 2] }]])).toThrow(ModelFormatError);
  });
});

describe('version and checksum', () => {
  it('records the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(LIBRARY_VERSION).toBe(pkg.version);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe('cbf43926');
    expect(crc32(new Uint8Array(0))).toBe('00000000');
  });
});
