import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/core/random';
import { buildGraph } from '../src/cli/models/registry';
import { initParams } from '../src/cli/models/tf-network';
import { exportOnnx } from '../src/cli/onnx/writer';
import { convFlops, graphAblations, withFixedShape, withoutNodes } from './graph-variants';

/** A small restorer (Conv, LeakyRelu/Relu, Add) with random weights; `nonNegative` makes every weight ≥ 0. */
function restorer(nonNegative: boolean) {
  const { graph } = buildGraph('srresnet', { width: 8, depth: 2, activation: 'relu' });
  const params = initParams(graph, createRng(3));
  const rng = createRng(4);
  for (const spec of graph.params) params[spec.name] = params[spec.name].map((v) => (nonNegative ? Math.abs(v) + 0.01 * rng.next() : v + 0.1 * rng.uniform(-1, 1)));
  return exportOnnx(graph, params);
}

const opTypes = (bytes: Uint8Array) => onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType!);

async function run(bytes: Uint8Array, input: Float32Array, dims: number[]) {
  const session = await ort.InferenceSession.create(bytes);
  return (await session.run({ input: new ort.Tensor('float32', input, dims) })).output.data as Float32Array;
}

describe('graph variants for bench:web', () => {
  const dims = [1, 3, 12, 10];
  const input = Float32Array.from({ length: 3 * 12 * 10 }, (_, i) => ((i * 37) % 101) / 101);

  it('without activations computes the same as the full graph when no activation has anything to clip', async () => {
    // Non-negative weights and input: every activation's input is ≥ 0, so Relu and LeakyRelu are the identity there.
    const bytes = restorer(true);
    const without = withoutNodes(bytes, (op) => op === 'Relu' || op === 'LeakyRelu');
    expect(opTypes(without).filter((op) => op.endsWith('Relu'))).toEqual([]);
    expect(opTypes(without).filter((op) => op === 'Conv').length).toBe(opTypes(bytes).filter((op) => op === 'Conv').length);
    const [a, b] = [await run(bytes, input, dims), await run(without, input, dims)];
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  it('without Adds keeps every convolution in one chain (the branch, not the skip) and changes the result', async () => {
    const bytes = restorer(false);
    const without = withoutNodes(bytes, (op) => op === 'Add');
    const graph = onnxProto.onnx.ModelProto.decode(without).graph!;
    expect(graph.node!.some((n) => n.opType === 'Add')).toBe(false);
    // Each Conv reads the previous node's output: a chain, so none was skipped.
    const producer = new Map(graph.node!.map((n, i) => [n.output![0], i]));
    graph.node!.forEach((n, i) => {
      if (n.opType === 'Conv' && i > 0) expect(producer.get(n.input![0])).toBe(i - 1);
    });
    expect(convFlops(without, 12, 10)).toBe(convFlops(bytes, 12, 10));
    const [a, b] = [await run(bytes, input, dims), await run(without, input, dims)];
    expect(b.length).toBe(a.length);
    expect(b.some((v, i) => Math.abs(v - a[i]) > 1e-3)).toBe(true);
  });

  it('counts a convolution\'s flops as 2 × weights × pixels', () => {
    const bytes = restorer(false);
    const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
    const weights = graph.node!.filter((n) => n.opType === 'Conv').map((n) => graph.initializer!.find((t) => t.name === n.input![1])!.dims!.map(Number));
    const expected = weights.reduce((sum, [o, i, kh, kw]) => sum + 2 * o * i * kh * kw * 12 * 10, 0);
    expect(convFlops(bytes, 12, 10)).toBe(expected);
    expect(graphAblations(bytes, 12, 10).map((a) => a.label)).toEqual(['full graph', 'without activations', 'without Adds', 'convolutions only']);
  });

  it('fixes the input shape without changing the output', async () => {
    const bytes = restorer(false);
    const fixed = withFixedShape(bytes, dims);
    const info = onnxProto.onnx.ModelProto.decode(fixed).graph!.input![0].type!.tensorType!.shape!.dim!;
    expect(info.map((d) => Number(d.dimValue))).toEqual(dims);
    // The same arithmetic up to the kernel onnxruntime picks for a known shape.
    const [a, b] = [await run(bytes, input, dims), await run(fixed, input, dims)];
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    await expect(run(fixed, new Float32Array(3 * 8 * 8), [1, 3, 8, 8])).rejects.toThrow();
  });
});
