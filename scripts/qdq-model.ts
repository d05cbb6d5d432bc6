/**
 * A static int8 QDQ version of a restorer, for bench:web's quantisation lever and the quality check
 * of `npm run study:int8`: each Conv's weights int8 per output channel (symmetric), its bias int32
 * at the product of the scales, and every activation (the input and each node's output) uint8 per
 * tensor, through QuantizeLinear → DequantizeLinear pairs that onnxruntime fuses into QLinearConv
 * and friends. Activation ranges come from running the float model with every tensor exposed as an
 * output (withEveryTensorOut) on calibration tiles.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { toPlanar, type RgbImage } from '../src/core/image';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

type Range = readonly [min: number, max: number];

function floatOf(tensor: onnxProto.onnx.ITensorProto): Float32Array {
  const raw = tensor.rawData!;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

function tensorOf(name: string, dims: number[], dataType: number, data: Float32Array | Int8Array | Uint8Array | Int32Array) {
  return onnx.TensorProto.create({ name, dims, dataType, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
}

/** The model with every node output also a graph output (float, shape left to onnxruntime). */
export function withEveryTensorOut(modelBytes: Uint8Array): { bytes: Uint8Array; tensors: string[] } {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const present = new Set((graph.output ?? []).map((o) => o.name!));
  const tensors = (graph.node ?? []).map((n) => n.output![0]).filter((name) => !present.has(name));
  graph.output = [
    ...(graph.output ?? []),
    ...tensors.map((name) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DataType.FLOAT } } })),
  ];
  return { bytes: onnx.ModelProto.encode(model).finish(), tensors: [...(graph.input ?? []).map((i) => i.name!), ...tensors] };
}

/** [min, max] of the graph input and of every node output, over the calibration images (onnxruntime-node). */
export async function activationRanges(modelBytes: Uint8Array, images: readonly RgbImage[]): Promise<Map<string, [number, number]>> {
  const probe = withEveryTensorOut(modelBytes);
  const session = await ort.InferenceSession.create(probe.bytes);
  const ranges = new Map<string, [number, number]>();
  try {
    for (const image of images) {
      const input = new ort.Tensor('float32', toPlanar(image), [1, 3, image.height, image.width]);
      const tensors: Record<string, ort.Tensor> = { ...(await session.run({ input })), input };
      for (const name of probe.tensors) {
        const range = ranges.get(name) ?? [Infinity, -Infinity];
        for (const v of tensors[name].data as Float32Array) {
          if (v < range[0]) range[0] = v;
          if (v > range[1]) range[1] = v;
        }
        ranges.set(name, range);
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}

/** uint8 asymmetric scale and zero point covering [min, max] and 0. */
function activationQuant([min, max]: Range): { scale: number; zero: number } {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max, lo + 1e-6);
  const scale = (hi - lo) / 255;
  return { scale, zero: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

export interface QdqOptions {
  /**
   * Convolutions left in float (by their position among the model's Conv nodes, 0 first): their
   * weights stay float and their output is not quantised. Their input still is.
   */
  floatConvs?: (index: number, count: number) => boolean;
}

/** The QDQ model; `ranges` gives [min, max] of the graph input and of every node output. */
export function quantiseQdq(modelBytes: Uint8Array, ranges: ReadonlyMap<string, Range>, options: QdqOptions = {}): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const initializers = new Map<string, onnxProto.onnx.ITensorProto>((graph.initializer ?? []).map((t) => [t.name!, t]));
  const added: ReturnType<typeof tensorOf>[] = [];
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const activation = new Map<string, { scale: number; zero: number }>();
  const dequantised = new Map<string, string>();

  /** Q → DQ after tensor `name`; consumers read the returned name instead. */
  const qdq = (name: string) => {
    const range = ranges.get(name);
    if (!range) throw new Error(`no calibration range for ${name}`);
    const q = activationQuant(range);
    activation.set(name, q);
    added.push(tensorOf(`${name}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale)), tensorOf(`${name}_zero`, [], DataType.UINT8, Uint8Array.of(q.zero)));
    nodes.push(
      onnx.NodeProto.create({ opType: 'QuantizeLinear', name: `${name}_q`, input: [name, `${name}_scale`, `${name}_zero`], output: [`${name}_quantised`] }),
      onnx.NodeProto.create({ opType: 'DequantizeLinear', name: `${name}_dq`, input: [`${name}_quantised`, `${name}_scale`, `${name}_zero`], output: [`${name}_dequantised`] }),
    );
    dequantised.set(name, `${name}_dequantised`);
  };

  for (const input of graph.input ?? []) qdq(input.name!);
  const outputs = new Set((graph.output ?? []).map((o) => o.name!));
  const convCount = (graph.node ?? []).filter((n) => n.opType === 'Conv').length;
  let convIndex = -1;
  for (const node of graph.node ?? []) {
    if (node.opType === 'Identity') {
      node.input = node.input!.map((name) => dequantised.get(name) ?? name);
      nodes.push(node);
      continue;
    }
    const [x, w, b] = node.input!;
    if (node.opType === 'Conv') convIndex++;
    if (node.opType === 'Conv' && options.floatConvs?.(convIndex, convCount)) {
      node.input = [dequantised.get(x)!, w, b];
      nodes.push(node);
      continue;
    }
    if (node.opType === 'Conv') {
      const weight = initializers.get(w)!;
      const dims = weight.dims!.map(Number);
      const values = floatOf(weight);
      const perChannel = values.length / dims[0];
      const weightScale = new Float32Array(dims[0]);
      const quantised = new Int8Array(values.length);
      for (let o = 0; o < dims[0]; o++) {
        let peak = 0;
        for (let i = 0; i < perChannel; i++) peak = Math.max(peak, Math.abs(values[o * perChannel + i]));
        weightScale[o] = peak > 0 ? peak / 127 : 1;
        for (let i = 0; i < perChannel; i++) quantised[o * perChannel + i] = Math.round(values[o * perChannel + i] / weightScale[o]);
      }
      const inputScale = activation.get(x)!.scale;
      const bias = floatOf(initializers.get(b)!);
      const biasScale = weightScale.map((s) => s * inputScale);
      added.push(
        tensorOf(`${w}_int8`, dims, DataType.INT8, quantised),
        tensorOf(`${w}_scale`, [dims[0]], DataType.FLOAT, weightScale),
        tensorOf(`${w}_zero`, [dims[0]], DataType.INT8, new Int8Array(dims[0])),
        tensorOf(`${b}_int32`, [dims[0]], DataType.INT32, Int32Array.from(bias, (v, o) => Math.round(v / biasScale[o]))),
        tensorOf(`${b}_scale`, [dims[0]], DataType.FLOAT, biasScale),
        tensorOf(`${b}_zero`, [dims[0]], DataType.INT32, new Int32Array(dims[0])),
      );
      const axis = onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 });
      nodes.push(
        onnx.NodeProto.create({ opType: 'DequantizeLinear', name: `${w}_dq`, input: [`${w}_int8`, `${w}_scale`, `${w}_zero`], output: [`${w}_dequantised`], attribute: [axis] }),
        onnx.NodeProto.create({ opType: 'DequantizeLinear', name: `${b}_dq`, input: [`${b}_int32`, `${b}_scale`, `${b}_zero`], output: [`${b}_dequantised`], attribute: [axis] }),
      );
      node.input = [dequantised.get(x)!, `${w}_dequantised`, `${b}_dequantised`];
    } else {
      node.input = node.input!.map((name) => (initializers.has(name) ? name : (dequantised.get(name) ?? name)));
    }
    nodes.push(node);
    const out = node.output![0];
    if (!outputs.has(out)) qdq(out);
  }
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  graph.initializer = [...(graph.initializer ?? []).filter((t) => used.has(t.name!)), ...added];
  graph.node = nodes;
  return onnx.ModelProto.encode(model).finish();
}
