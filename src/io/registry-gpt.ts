/**
 * The model-file codec of {@link GPT}: the config is the model's shape, and the tensors are
 * listed by nanoGPT's dotted names. `registry.ts` registers it with the built-in layers.
 * @module
 */
import { GPT } from '../nn/gpt.js';
import type { ConfigReader, registerLayer } from './registry.js';
import { scratch } from './registry-cnn.js';

/** Largest vocabulary, context, depth, head count or width read from a file. */
const MAX_SIZE = 1 << 20;

function readConfig(c: ConfigReader): ConstructorParameters<typeof GPT>[0] {
  return {
    vocabSize: c.int('vocabSize', 1, MAX_SIZE),
    blockSize: c.int('blockSize', 1, MAX_SIZE),
    nLayer: c.int('nLayer', 1, 1024),
    nHead: c.int('nHead', 1, MAX_SIZE),
    nEmbd: c.int('nEmbd', 1, MAX_SIZE),
    dropout: c.num('dropout', 0, 0.999),
    bias: c.bool('bias'),
  };
}

/** Every parameter of a GPT with this config, by name, with its shape. */
function gptTensors(c: ConfigReader): [string, number[]][] {
  const { vocabSize: v, blockSize: t, nLayer, nEmbd: e, bias } = readConfig(c);
  const out: [string, number[]][] = [
    ['transformer.wte.weight', [v, e]],
    ['transformer.wpe.weight', [t, e]],
  ];
  const lin = (name: string, o: number, i: number): void => {
    out.push([`${name}.weight`, [o, i]]);
    if (bias) out.push([`${name}.bias`, [o]]);
  };
  const norm = (name: string): void => lin(name, e, 0);
  for (let l = 0; l < nLayer; l++) {
    const p = `transformer.h.${l}`;
    norm(`${p}.ln_1`);
    lin(`${p}.attn.c_attn`, 3 * e, e);
    lin(`${p}.attn.c_proj`, e, e);
    norm(`${p}.ln_2`);
    lin(`${p}.mlp.c_fc`, 4 * e, e);
    lin(`${p}.mlp.c_proj`, e, 4 * e);
  }
  norm('transformer.ln_f');
  // LayerNorm weights are vectors: drop the placeholder in-features.
  return out.map(([n, s]) => [n, s[1] === 0 ? [s[0]!] : s]);
}

/** Registers the GPT codec. */
export function registerGptLayers(register: typeof registerLayer): void {
  register('GPT', {
    cls: GPT,
    ownsSubmodules: true,
    config: (m) => ({ ...m.config }),
    create: (c) => new GPT(readConfig(c), scratch()),
    tensors: gptTensors,
  });
}
