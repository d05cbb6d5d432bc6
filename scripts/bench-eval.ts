/**
 * npm run bench:eval — onnxruntime-node forward throughput of the restorer architecture, with one
 * thread and with all cores. Random weights: speed does not depend on their values.
 */
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { createRng } from '../src/core/random';
import { macsPerInputPixel } from '../src/cli/models/graph';
import { buildGraph } from '../src/cli/models/registry';
import { initParams } from '../src/cli/models/tf-network';
import { exportOnnx } from '../src/cli/onnx/writer';

const sizes = [{ width: 32, depth: 4 }, { width: 64, depth: 8 }];
const side = 512;
console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''} forward, ${side}×${side} input, ${availableParallelism()} cores`);
for (const size of sizes) {
  const { graph } = buildGraph('srresnet', size);
  const model = exportOnnx(graph, initParams(graph, createRng(1)));
  const flops = 2 * macsPerInputPixel(graph) * side * side;
  for (const threads of [1, availableParallelism()]) {
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads });
    const input = new ort.Tensor('float32', new Float32Array(3 * side * side).fill(0.5), [1, 3, side, side]);
    await session.run({ input });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await session.run({ input });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const ms = times[2];
    console.log(`srresnet w${size.width} d${size.depth}, ${threads} thread(s): ${ms.toFixed(0)} ms per image, ${(flops / ms / 1e6).toFixed(1)} GFLOP/s`);
    await session.release();
  }
}
