import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModelProto } from '../../src/io/onnx/proto.js';
import { cli, cliJson, root } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-onnx-'));
const fixture = (name: string): string => join(root, 'test', 'fixtures', 'onnx', `${name}.onnx`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cortex info on .onnx files', () => {
  it('prints the producer, IR version, opsets, inputs and outputs, node counts and importability', async () => {
    const run = await cli(['info', fixture('transformer')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ONNX IR version 8, produced by pytorch 1\.13\.0/);
    expect(run.stdout).toMatch(/opsets\s+ai\.onnx 17/);
    expect(run.stdout).toMatch(/inputs\s+x: float32 \[batch, 6, 16\]/);
    expect(run.stdout).toMatch(/outputs\s+y: float32 \[batch, 6, 4\]/);
    expect(run.stdout).toMatch(/weights\s+4,516 float values/);
    expect(run.stdout).toMatch(/import\s+supported/);
    expect(run.stdout).toMatch(/nodes \(222\)/);
    expect(run.stdout).toMatch(/LayerNormalization\s+4/);
  });

  it('--json gives the same as one document', async () => {
    const { run, json } = await cliJson<{
      kind: string;
      irVersion: number;
      opsets: { domain: string; version: number }[];
      inputs: { name: string; typeName: string; shape: (number | string)[] }[];
      ops: Record<string, number>;
      parameters: number;
      trainableParameters: number;
      importable: boolean;
    }>(['info', fixture('cnn')]);
    expect(run.code).toBe(0);
    expect(json.kind).toBe('onnx');
    expect(json.irVersion).toBe(7);
    expect(json.opsets).toEqual([{ domain: '', version: 13 }]);
    expect(json.inputs).toEqual([{ name: 'x', type: 1, typeName: 'float32', shape: ['batch', 1, 8, 8] }]);
    expect(json.ops).toMatchObject({ Conv: 2, BatchNormalization: 1, MaxPool: 1, Gemm: 1 });
    expect(json.importable).toBe(true);
    // The BatchNorm running statistics are buffers, not trainable parameters.
    expect(json.trainableParameters).toBe(json.parameters - 8);
  });

  it('lists the ops Cortex cannot import, and the opset when out of range', async () => {
    const path = join(dir, 'unsupported.onnx');
    writeFileSync(
      path,
      encodeModelProto({
        irVersion: 8,
        producerName: 'hand',
        opsetImport: [{ domain: '', version: 18 }],
        graph: {
          name: 'g',
          node: [
            { name: 'a', opType: 'Relu', input: ['x'], output: ['h'] },
            { name: 'b', opType: 'NonZero', input: ['h'], output: ['y'] },
          ],
          input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } }],
          output: [{ name: 'y', type: { tensorType: { elemType: 7 } } }],
        },
      }),
    );
    const run = await cli(['info', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/import\s+not supported: opset 18 is outside the 7 to 17.*unsupported ops: NonZero/);
    expect(run.stdout).toMatch(/NonZero\s+1\s+unsupported/);
    const { json } = await cliJson<{ importable: boolean; unsupportedOps: string[] }>(['info', path]);
    expect(json).toMatchObject({ importable: false, unsupportedOps: ['NonZero'] });
  });

  it('reports a truncated file as a model-format error naming the file', async () => {
    const path = join(dir, 'truncated.onnx');
    const bytes = readFileSync(fixture('mlp'));
    writeFileSync(path, bytes.subarray(0, bytes.length - 200));
    const run = await cli(['info', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('truncated.onnx');
    expect(run.stderr).toMatch(/not a valid ONNX model|truncated/);
  });
});
