/**
 * The PyTorch attention fixtures (`test/fixtures/torch/attention.json`, written by
 * scripts/torch-fixtures): the case types and the parsed document, shared by the layer tests
 * and the ONNX export tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TransformerActivation } from '../../src/index.js';
import { FIXTURE_DIR, type FixtureTensor } from './fixtures.js';

/** Parameters by their PyTorch state-dict names. */
export type Params = Record<string, FixtureTensor>;

/** One `scaled_dot_product_attention` call with its gradients. */
export interface SdpaCase {
  name: string;
  q: FixtureTensor;
  k: FixtureTensor;
  v: FixtureTensor;
  mask?: FixtureTensor;
  isCausal: boolean;
  scale: number | null;
  out: FixtureTensor;
  gradWeight: FixtureTensor;
  grads: { q: FixtureTensor; k: FixtureTensor; v: FixtureTensor };
}

/** One `nn.MultiheadAttention` forward (output and weights) with its gradients. */
export interface MhaCase {
  name: string;
  config: { embedDim: number; numHeads: number; batchFirst?: boolean; kdim?: number; vdim?: number; bias?: boolean };
  selfAttention: boolean;
  isCausal: boolean;
  averageAttnWeights: boolean;
  masks: { keyPaddingMask?: FixtureTensor; attnMask?: FixtureTensor };
  params: Params;
  query: FixtureTensor;
  key: FixtureTensor;
  value: FixtureTensor;
  out: FixtureTensor;
  weights: FixtureTensor;
  gradOut: FixtureTensor;
  gradWeights: FixtureTensor;
  grads: { inputs: FixtureTensor[]; params: Params };
}

/** One `nn.TransformerEncoderLayer` or `nn.TransformerEncoder` forward with its gradients. */
export interface EncoderCase {
  name: string;
  config: {
    dModel: number;
    nhead: number;
    dimFeedforward: number;
    activation?: TransformerActivation;
    batchFirst?: boolean;
    normFirst?: boolean;
    layerNormEps?: number;
  };
  numLayers: number | null;
  finalNorm: boolean;
  isCausal: boolean;
  masks: { srcMask?: FixtureTensor; srcKeyPaddingMask?: FixtureTensor };
  params: Params;
  src: FixtureTensor;
  out: FixtureTensor;
  gradOut: FixtureTensor;
  grads: { src: FixtureTensor; params: Params };
}

/** Reads the attention fixture file. */
export function readAttentionFixtures(): { sdpa: SdpaCase[]; mha: MhaCase[]; encoder: EncoderCase[] } {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'attention.json'), 'utf8')) as { sdpa: SdpaCase[]; mha: MhaCase[]; encoder: EncoderCase[] };
}
