/**
 * Duplicate keys in JSON text. `JSON.parse` keeps the last of two equal keys without a
 * word, so a model file whose header names a field twice could say one thing to a reader
 * that takes the first and another to us. Loading rejects such files instead.
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The first key that appears twice in one object of `text`, or null. `text` must be valid
 * JSON (call this after `JSON.parse` succeeded). Keys are compared after unescaping, so
 * `"a"` and `"\u0061"` are the same key. Iterative: any nesting depth is fine.
 */
export function firstDuplicateKey(text: string): string | null {
  // One entry per open container: the keys seen so far (objects) or null (arrays).
  const open: (Set<string> | null)[] = [];
  let keyNext = false;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== QUOTE) j += text.charCodeAt(j) === BACKSLASH ? 2 : 1;
      const keys = open[open.length - 1];
      if (keyNext && keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      keyNext = false;
      i = j + 1;
      continue;
    }
    if (ch === 0x7b) {
      open.push(new Set());
      keyNext = true;
    } else if (ch === 0x5b) {
      open.push(null);
      keyNext = false;
    } else if (ch === 0x7d || ch === 0x5d) {
      open.pop();
      keyNext = false;
    } else if (ch === 0x2c) {
      keyNext = open.length > 0 && open[open.length - 1] !== null;
    }
    i++;
  }
  return null;
}
