/**
 * Turns any CSV input (a string, a `Blob`, a web `ReadableStream` or an async iterable of
 * bytes or text, such as a Node file stream) into text windows that each end on a record
 * boundary, so the parser can be run on one window at a time and memory stays bounded.
 * Runs in browsers and Node alike.
 * @module
 */
import { ArgumentError } from '../errors.js';

/** What the CSV readers accept. */
export type CsvInput =
  | string
  | Blob
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<string>;

/** A run of complete records, and the number of lines before it in the source. */
export interface TextWindow {
  /** Text that ends at the end of a record (or at the end of the input). */
  text: string;
  /** Lines (newlines) in the source before this window. */
  linesBefore: number;
}

function isAsyncIterable(x: object): x is AsyncIterable<Uint8Array | string> {
  return Symbol.asyncIterator in x;
}

function isIterable(x: object): x is Iterable<string> {
  return Symbol.iterator in x;
}

async function* readStream(stream: ReadableStream<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The input as a sequence of decoded text chunks (UTF-8; a leading byte-order mark is dropped). */
export async function* textChunks(input: CsvInput): AsyncGenerator<string> {
  if (typeof input === 'string') {
    yield input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    return;
  }
  let parts: AsyncIterable<Uint8Array | string> | Iterable<string>;
  if (typeof Blob !== 'undefined' && input instanceof Blob) parts = readStream(input.stream());
  else if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) parts = readStream(input);
  else if (isAsyncIterable(input)) parts = input;
  else if (isIterable(input)) parts = input;
  else throw new ArgumentError('CSV input must be a string, Blob, ReadableStream or (async) iterable of chunks');
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const part of parts) {
    let text = typeof part === 'string' ? part : decoder.decode(part, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

/** The number of newline characters in `text`. */
export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Cuts a text stream into windows of at least `minSize` characters (default 64 Ki; in
 * bench/csv-large.ts this gave a lower peak RSS and less CPU time than 1 Mi windows)
 * that end on a record
 * boundary: the last newline that is outside quotes. Quote state is tracked by the parity
 * of quote characters, which is exact for RFC 4180 CSV (an escaped quote is doubled).
 */
export async function* recordWindows(chunks: AsyncIterable<string>, quote = '"', minSize = 1 << 16): AsyncGenerator<TextWindow> {
  let buffer = '';
  let scanned = 0; // buffer[0, scanned) has been scanned
  let inQuote = false;
  let safe = -1; // index of the last newline outside quotes in buffer[0, scanned)
  let linesBefore = 0;
  for await (const chunk of chunks) {
    buffer += chunk;
    if (!inQuote && chunk.indexOf(quote) === -1) {
      const nl = buffer.lastIndexOf('\n');
      if (nl >= scanned) safe = nl;
    } else {
      for (let i = scanned; i < buffer.length; ) {
        const q = buffer.indexOf(quote, i);
        const nl = inQuote ? -1 : buffer.indexOf('\n', i);
        if (nl !== -1 && (q === -1 || nl < q)) {
          const next = q === -1 ? buffer.lastIndexOf('\n') : buffer.lastIndexOf('\n', q);
          safe = next;
          i = next + 1;
          if (q === -1) break;
          continue;
        }
        if (q === -1) break;
        inQuote = !inQuote;
        i = q + 1;
      }
    }
    scanned = buffer.length;
    if (safe >= 0 && safe + 1 >= minSize) {
      const text = buffer.slice(0, safe + 1);
      buffer = buffer.slice(safe + 1);
      scanned = buffer.length;
      safe = -1;
      yield { text, linesBefore };
      linesBefore += countLines(text);
    }
  }
  if (buffer.length > 0) yield { text: buffer, linesBefore };
}
