import onnxProto from 'onnx-proto';
import type { NetworkGraph } from '../models/graph';
import type { ParamValues } from '../models/tf-network';

const { onnx } = onnxProto;

/**
 * Writes a NetworkGraph with trained weights as an ONNX model (opset 17, NCHW, dynamic batch,
 * height and width). Supports every op the architecture registry uses: Conv, Relu, LeakyRelu,
 * PRelu, Add, DepthToSpace. DDR feature tensors become extra graph outputs `feature_<name>`.
 */
export const ONNX_OPSET = 17;
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';
export const featureOutputName = (layer: string) => `feature_${layer}`;

export interface ExportOptions {
  /** Which of graph.features to expose as outputs (all by default). */
  features?: string[];
  /**
   * Also expose the network's own output (default true). A descriptor used only for its features
   * is exported without it, and every node that no output needs is left out: for `last_block`
   * that drops the whole upsampling half of the SR network.
   */
  includeOutput?: boolean;
  /** Free text stored in the model's doc string (architecture, options, training summary). */
  docString?: string;
}

type Attribute = InstanceType<typeof onnx.AttributeProto>;

function intsAttr(name: string, ints: number[]): Attribute {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
}
function intAttr(name: string, i: number): Attribute {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
}
function floatAttr(name: string, f: number): Attribute {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });
}
function stringAttr(name: string, s: string): Attribute {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });
}

export function floatTensor(name: string, dims: number[], data: Float32Array) {
  // raw_data is little-endian float32, which is what Float32Array holds on every platform we run on.
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  });
}

function imageValueInfo(name: string, channels: number | string) {
  const dim = (v: number | string) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v });
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [dim('batch'), dim(channels), dim(`${name}_height`), dim(`${name}_width`)] },
      },
    },
  });
}

/** [kh, kw, in, out] (tfjs) → [out, in, kh, kw] (ONNX). */
function convWeightToOihw(data: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) out[((o * cin + c) * kh + i) * kw + j] = data[((i * kw + j) * cin + c) * cout + o];
  return out;
}

/** The nodes some output depends on, in their original (topological) order. */
function neededNodes(graph: NetworkGraph, outputs: string[]): NetworkGraph['nodes'] {
  const needed = new Set(outputs);
  const kept: NetworkGraph['nodes'] = [];
  for (const node of [...graph.nodes].reverse()) {
    if (!needed.has(node.output)) continue;
    kept.push(node);
    for (const input of node.op === 'add' ? node.inputs : [node.input]) needed.add(input);
  }
  return kept.reverse();
}

export function exportOnnx(graph: NetworkGraph, params: ParamValues, options: ExportOptions = {}): Uint8Array {
  const includeOutput = options.includeOutput ?? true;
  const featureLayers = options.features ?? Object.keys(graph.features);
  for (const layer of featureLayers) {
    if (!graph.features[layer]) throw new Error(`this architecture has no feature layer "${layer}"; it has: ${Object.keys(graph.features).join(', ') || 'none'}`);
  }
  const outputs = [
    ...(includeOutput ? [{ name: OUTPUT_NAME, tensor: graph.output }] : []),
    ...featureLayers.map((layer) => ({ name: featureOutputName(layer), tensor: graph.features[layer] })),
  ];
  if (outputs.length === 0) throw new Error('nothing to export: no output and no feature layer');
  const graphNodes = neededNodes(graph, outputs.map((o) => o.tensor));
  const shapes = new Map(graph.params.map((p) => [p.name, p.shape]));
  const initializers: ReturnType<typeof floatTensor>[] = [];
  const value = (name: string) => {
    const v = params[name];
    if (!v) throw new Error(`missing weights for ${name}`);
    return v;
  };
  const channels = new Map<string, number>([[INPUT_NAME, 3]]);
  const nodes = graphNodes.map((node) => {
    switch (node.op) {
      case 'conv': {
        const shape = shapes.get(node.weight)!;
        initializers.push(floatTensor(node.weight, [shape[3], shape[2], shape[0], shape[1]], convWeightToOihw(value(node.weight), shape)));
        initializers.push(floatTensor(node.bias, [node.outChannels], value(node.bias)));
        const p = (node.kernel - 1) / 2;
        channels.set(node.output, node.outChannels);
        return onnx.NodeProto.create({
          opType: 'Conv', name: node.output, input: [node.input, node.weight, node.bias], output: [node.output],
          attribute: [intsAttr('kernel_shape', [node.kernel, node.kernel]), intsAttr('pads', [p, p, p, p]), intsAttr('strides', [1, 1]), intsAttr('dilations', [1, 1])],
        });
      }
      case 'relu':
        channels.set(node.output, channels.get(node.input)!);
        return onnx.NodeProto.create({ opType: 'Relu', name: node.output, input: [node.input], output: [node.output] });
      case 'lrelu':
        channels.set(node.output, channels.get(node.input)!);
        return onnx.NodeProto.create({ opType: 'LeakyRelu', name: node.output, input: [node.input], output: [node.output], attribute: [floatAttr('alpha', node.alpha)] });
      case 'prelu':
        // Slope [C, 1, 1] broadcasts over NCHW's H and W.
        initializers.push(floatTensor(node.slope, [node.channels, 1, 1], value(node.slope)));
        channels.set(node.output, node.channels);
        return onnx.NodeProto.create({ opType: 'PRelu', name: node.output, input: [node.input, node.slope], output: [node.output] });
      case 'add':
        channels.set(node.output, channels.get(node.inputs[0])!);
        return onnx.NodeProto.create({ opType: 'Add', name: node.output, input: [...node.inputs], output: [node.output] });
      case 'depthToSpace':
        // tfjs's NHWC depthToSpace orders the channel axis as (row, column, channel): ONNX's DCR mode.
        channels.set(node.output, channels.get(node.input)! / (node.block * node.block));
        return onnx.NodeProto.create({
          opType: 'DepthToSpace', name: node.output, input: [node.input], output: [node.output],
          attribute: [intAttr('blocksize', node.block), stringAttr('mode', 'DCR')],
        });
    }
  });

  // Graph outputs must be named tensors; Identity nodes give them stable public names.
  for (const { name, tensor } of outputs) {
    nodes.push(onnx.NodeProto.create({ opType: 'Identity', name, input: [tensor], output: [name] }));
  }

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'grids',
    producerVersion: '0.1.0',
    docString: options.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: 'grids',
      node: nodes,
      initializer: initializers,
      input: [imageValueInfo(INPUT_NAME, 3)],
      output: outputs.map(({ name, tensor }) => imageValueInfo(name, channels.get(tensor)!)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
