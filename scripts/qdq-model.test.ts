import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/core/random';
import { buildGraph } from '../src/cli/models/registry';
import { initParams } from '../src/cli/models/tf-network';
import { exportOnnx } from '../src/cli/onnx/writer';
import { fromPlanar } from '../src/core/image';
import { activationRanges, quantiseQdq } from './qdq-model';

describe('int8 QDQ restorer (bench:web lever)', () => {
  it('stays close to the float model, and onnxruntime runs its convolutions as QLinearConv', async () => {
    const { graph } = buildGraph('srresnet', { width: 8, depth: 2, activation: 'lrelu' });
    const bytes = exportOnnx(graph, initParams(graph, createRng(7)));
    const rng = createRng(8);
    const dims = [1, 3, 16, 16];
    const image = () => new ort.Tensor('float32', Float32Array.from({ length: 3 * 16 * 16 }, () => rng.next()), dims);
    const calibration = image().data as Float32Array;
    const ranges = await activationRanges(bytes, [fromPlanar(calibration, 16, 16)]);
    // Brute force for the input; every node output but the graph's own output (never quantised) has a range too.
    expect(ranges.get('input')).toEqual([Math.min(...calibration), Math.max(...calibration)]);
    expect(ranges.size).toBe(onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.length);
    expect(ranges.has('output')).toBe(false);
    const int8 = quantiseQdq(bytes, ranges);
    const weights = onnxProto.onnx.ModelProto.decode(int8).graph!.initializer!.filter((t) => t.dataType === onnxProto.onnx.TensorProto.DataType.INT8 && t.dims!.length === 4);
    expect(weights.length).toBe(graph.nodes.filter((n) => n.op === 'conv').length);

    const dir = mkdtempSync(join(tmpdir(), 'qdq-'));
    try {
      const optimised = join(dir, 'optimised.onnx');
      const session = await ort.InferenceSession.create(int8, { optimizedModelFilePath: optimised, graphOptimizationLevel: 'all' });
      const ops = onnxProto.onnx.ModelProto.decode(readFileSync(optimised)).graph!.node!.map((n) => n.opType);
      expect(ops.filter((op) => op === 'QLinearConv').length).toBe(weights.length);
      expect(ops).not.toContain('Conv');

      const test = image();
      const a = (await (await ort.InferenceSession.create(bytes)).run({ input: test })).output.data as Float32Array;
      const b = (await session.run({ input: test })).output.data as Float32Array;
      let squares = 0, signal = 0;
      for (let i = 0; i < a.length; i++) {
        squares += (a[i] - b[i]) ** 2;
        signal += a[i] ** 2;
      }
      // 8-bit activations and weights: the error is a few percent of the signal, not more.
      expect(Math.sqrt(squares / signal)).toBeLessThan(0.05);
      expect(Math.sqrt(squares / signal)).toBeGreaterThan(0); // it really is quantised
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a tensor it has no calibration range for', () => {
    const { graph } = buildGraph('srresnet', { width: 4, depth: 1, activation: 'relu' });
    expect(() => quantiseQdq(exportOnnx(graph, initParams(graph, createRng(1))), new Map())).toThrow(/no calibration range for input/);
  });
});
