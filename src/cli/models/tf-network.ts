import * as tf from '@tensorflow/tfjs-core';
import type { NetworkGraph } from './graph';

export type ParamTensors = Record<string, tf.Tensor>;
export { initParams, type ParamValues } from './init';

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
