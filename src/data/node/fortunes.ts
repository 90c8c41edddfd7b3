/**
 * The text corpus of the character-level GPT: Debian's `fortunes` package, read as one text.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../errors.js';

/** Where Debian's `fortunes` package puts its files. */
export const DEBIAN_FORTUNES_DIR = '/usr/share/games/fortunes';

/** The corpus text and the files it was read from, in order. */
export interface FortunesCorpus {
  text: string;
  files: string[];
}

/**
 * Reads the fortune files of `dir` (default {@link DEBIAN_FORTUNES_DIR}) as one text.
 *
 * The corpus is defined so that any reader can rebuild it exactly (the PyTorch comparison
 * script `bench/python/char_gpt.py` does): the regular files whose names have no dot (so not
 * the `.dat` indexes or the `.u8` links), in code-point order of their names, each decoded as
 * UTF-8 and concatenated. The `%` lines that separate fortunes are kept: they are the format's
 * own end-of-fortune mark, so a model learns where a fortune ends. A file whose text does not
 * end with a `%` line gets one (`\n` first if its last line is unterminated), so that no two
 * files run together. Debian's fortunes 1:1.99.1-7.3 gives 43 files and 2,576,637 characters (113 distinct).
 *
 * @throws DataError naming the package to install when the folder or its files are missing.
 */
export function readFortunes(dir: string = DEBIAN_FORTUNES_DIR): FortunesCorpus {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new DataError(
      `${dir}: the fortunes corpus is not installed. Install Debian's package with \`sudo apt-get install fortunes\` (scripts/install-peers.sh does), or pass the folder of fortune files`,
      { file: dir },
    );
  }
  const files = names
    .filter((n) => !n.includes('.') && statSync(join(dir, n)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) {
    throw new DataError(`${dir}: no fortune files (names without a dot) in this folder; install Debian's package with \`sudo apt-get install fortunes\``, { file: dir });
  }
  let text = '';
  for (const f of files) {
    let t = readFileSync(join(dir, f), 'utf8');
    if (!t.endsWith('\n')) t += '\n';
    if (!(t === '%\n' || t.endsWith('\n%\n'))) t += '%\n';
    text += t;
  }
  return { text, files };
}
