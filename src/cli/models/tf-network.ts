import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../core/random';
import type { NetworkGraph } from './graph';

export type ParamValues = Record<string, Float32Array>;
export type ParamTensors = Record<string, tf.Tensor>;

/** Kaiming-normal weights (scaled, as BasicSR does for residual blocks), from our seeded Rng. */
export function initParams(graph: NetworkGraph, rng: Rng): ParamValues {
  const values: ParamValues = {};
  for (const spec of graph.params) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.init.kind === 'constant') data.fill(spec.init.value);
    else {
      const std = Math.sqrt(2 / spec.init.fanIn) * spec.init.scale;
      for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
    }
    values[spec.name] = data;
  }
  return values;
}

export function paramShapes(graph: NetworkGraph): Record<string, number[]> {
  return Object.fromEntries(graph.params.map((p) => [p.name, p.shape]));
}

/** Runs the graph on an NHWC batch; returns the requested tensors (the output by default). */
export function runGraph(graph: NetworkGraph, params: ParamTensors, input: tf.Tensor4D, wanted: string[] = [graph.output]): tf.Tensor4D[] {
  const values = new Map<string, tf.Tensor4D>([['input', input]]);
  const get = (name: string) => {
    const t = values.get(name);
    if (!t) throw new Error(`graph tensor ${name} used before it is computed`);
    return t;
  };
  for (const node of graph.nodes) {
    let out: tf.Tensor4D;
    switch (node.op) {
      case 'conv':
        out = tf.add(tf.conv2d(get(node.input), params[node.weight] as tf.Tensor4D, 1, 'same'), params[node.bias]);
        break;
      case 'relu':
        out = tf.relu(get(node.input));
        break;
      case 'lrelu':
        out = tf.leakyRelu(get(node.input), node.alpha);
        break;
      case 'prelu':
        out = tf.prelu(get(node.input), params[node.slope]) as tf.Tensor4D;
        break;
      case 'add':
        out = tf.add(get(node.inputs[0]), get(node.inputs[1]));
        break;
      case 'depthToSpace':
        out = tf.depthToSpace(get(node.input), node.block, 'NHWC');
        break;
    }
    values.set(node.output, out);
  }
  return wanted.map(get);
}
