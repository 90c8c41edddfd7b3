import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const io = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'io');
const read = (f: string) => readFileSync(f, 'utf8');
const browserFiles = readdirSync(io).filter((f) => f.endsWith('.ts')).map((f) => join(io, f));
const allFiles = [...browserFiles, ...readdirSync(join(io, 'node')).map((f) => join(io, 'node', f))];

describe('src/io boundaries', () => {
  it('the browser-safe modules import nothing from Node and nothing from ./node', () => {
    for (const f of browserFiles) {
      const imports = [...read(f).matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      expect(imports.filter((i) => i.startsWith('node:') || i.includes('/node/')), f).toEqual([]);
    }
  });

  it('loading never evaluates code: no eval, Function constructor or dynamic import anywhere in src/io', () => {
    for (const f of allFiles) {
      const code = read(f).replace(/\/\*\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/(?<![.\w])eval\s*\(|new\s+Function\b|\bFunction\s*\(|\bimport\s*\(/);
    }
  });
});
