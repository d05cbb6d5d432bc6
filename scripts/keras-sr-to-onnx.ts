/**
 * For the descriptor study (campaign/descriptor-study/README.md): turns a pretrained Keras super-
 * resolution network, as UpscalerJS publishes it on npm (tfjs "layers-model" JSON + weight shards;
 * the RDN and RRDN of idealo's image-super-resolution), into an ONNX feature extractor that
 * `npm run study:selection -- --descriptor F.onnx --layer L` reads. It exposes the named layers as
 * outputs `feature_<layer>` (NCHW) and keeps only the nodes they need; the input is RGB in [0, 1]
 * (the study's), multiplied by --input-scale first.
 *
 *   node --import ./bin/register.mjs scripts/keras-sr-to-onnx.ts <model.json> <out.onnx> <layer,...> [--input-scale 1]
 *
 * Handles the layers those networks use: Conv2D ('same'/'valid', linear or ReLU), Activation
 * (ReLU), Concatenate (channels), Add, MultiplyBeta (× 0.2, RRDN's residual scaling), UpSampling2D
 * (nearest) and PixelShuffle4x. Anything else is refused by name.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

interface KerasLayer {
  class_name: string;
  name: string;
  config: { filters?: number; kernel_size?: number[]; padding?: string; activation?: string; strides?: number[]; dilation_rate?: number[]; size?: number[] };
  inbound_nodes: [string, number, number, unknown][][];
}
interface LayersModel {
  format: string;
  modelTopology: { model_config: { config: { layers: KerasLayer[]; input_layers: [string, number, number][] } } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'input-scale': { type: 'string', default: '1' } } });
const [modelJson, outFile, layerList] = positionals;
if (!modelJson || !outFile || !layerList) throw new Error('usage: keras-sr-to-onnx.ts <model.json> <out.onnx> <layer,...> [--input-scale 1]');
const features = layerList.split(',');
const model = JSON.parse(await readFile(modelJson, 'utf8')) as LayersModel;
if (model.format !== 'layers-model') throw new Error(`${modelJson} is a ${model.format}, not a tfjs layers-model`);

// The shards hold the weights back to back, in manifest order.
const bin = Buffer.concat(await Promise.all(model.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dirname(modelJson), p)))));
const weights = new Map<string, { shape: number[]; data: Float32Array }>();
let offset = 0;
for (const w of model.weightsManifest.flatMap((g) => g.weights)) {
  if (w.dtype !== 'float32') throw new Error(`weight ${w.name} is ${w.dtype}; only float32 is handled`);
  const bytes = 4 * w.shape.reduce((a, b) => a * b, 1);
  weights.set(w.name, { shape: w.shape, data: new Float32Array(bin.buffer.slice(bin.byteOffset + offset, bin.byteOffset + offset + bytes)) });
  offset += bytes;
}
if (offset !== bin.length) throw new Error(`the manifest lists ${offset} bytes of weights, the shards hold ${bin.length}`);

const attr = onnx.AttributeProto;
const ints = (name: string, v: number[]) => attr.create({ name, type: attr.AttributeType.INTS, ints: v });
const int = (name: string, v: number) => attr.create({ name, type: attr.AttributeType.INT, i: v });
const str = (name: string, v: string) => attr.create({ name, type: attr.AttributeType.STRING, s: new TextEncoder().encode(v) });
const tensor = (name: string, dims: number[], data: Float32Array) =>
  onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
/** [kh, kw, in, out] (Keras) → [out, in, kh, kw] (ONNX). */
function oihw(data: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) out[((o * cin + c) * kh + i) * kw + j] = data[((i * kw + j) * cin + c) * cout + o];
  return out;
}
const weightOf = (layer: string, kind: 'kernel' | 'bias') => {
  const hit = [...weights.entries()].find(([k]) => k === `${layer}/${kind}` || k.endsWith(`/${layer}/${kind}`));
  if (!hit) throw new Error(`no ${kind} for layer ${layer}`);
  return hit[1];
};

const { layers, input_layers: inputLayers } = model.modelTopology.model_config.config;
const known = new Set(layers.map((l) => l.name));
for (const f of features) if (!known.has(f)) throw new Error(`no layer "${f}"; the model has: ${layers.map((l) => l.name).join(', ')}`);
const needed = new Set(features);
for (const l of [...layers].reverse()) if (needed.has(l.name)) for (const n of l.inbound_nodes[0] ?? []) needed.add(n[0]);

const inputLayer = inputLayers[0][0];
const initializers = [tensor('input_scale', [], new Float32Array([Number(values['input-scale'])]))];
const nodes = [onnx.NodeProto.create({ opType: 'Mul', input: ['input', 'input_scale'], output: [inputLayer] })];
for (const l of layers) {
  if (!needed.has(l.name) || l.name === inputLayer) continue;
  const inputs = l.inbound_nodes[0].map((n) => n[0]);
  const c = l.config;
  switch (l.class_name) {
    case 'Conv2D': {
      if (c.strides?.some((s) => s !== 1) || c.dilation_rate?.some((d) => d !== 1)) throw new Error(`${l.name}: only stride 1 and dilation 1 are handled`);
      const k = weightOf(l.name, 'kernel');
      const b = weightOf(l.name, 'bias');
      initializers.push(tensor(`${l.name}.weight`, [k.shape[3], k.shape[2], k.shape[0], k.shape[1]], oihw(k.data, k.shape)), tensor(`${l.name}.bias`, [b.shape[0]], b.data));
      const pad = c.padding === 'same' ? (c.kernel_size![0] - 1) / 2 : 0;
      const out = c.activation === 'linear' ? l.name : `${l.name}_linear`;
      nodes.push(onnx.NodeProto.create({ opType: 'Conv', input: [inputs[0], `${l.name}.weight`, `${l.name}.bias`], output: [out], attribute: [ints('kernel_shape', c.kernel_size!), ints('pads', [pad, pad, pad, pad])] }));
      if (c.activation === 'relu') nodes.push(onnx.NodeProto.create({ opType: 'Relu', input: [out], output: [l.name] }));
      else if (c.activation !== 'linear') throw new Error(`${l.name}: activation ${c.activation} is not handled`);
      break;
    }
    case 'Activation':
      if (c.activation !== 'relu') throw new Error(`${l.name}: activation ${c.activation} is not handled`);
      nodes.push(onnx.NodeProto.create({ opType: 'Relu', input: inputs, output: [l.name] }));
      break;
    case 'Concatenate': // NHWC's channel axis 3 is NCHW's 1
      nodes.push(onnx.NodeProto.create({ opType: 'Concat', input: inputs, output: [l.name], attribute: [int('axis', 1)] }));
      break;
    case 'Add':
      nodes.push(onnx.NodeProto.create({ opType: 'Sum', input: inputs, output: [l.name] }));
      break;
    case 'MultiplyBeta': // UpscalerJS's RRDN residual scaling, BETA = 0.2
      initializers.push(tensor(`${l.name}.beta`, [], new Float32Array([0.2])));
      nodes.push(onnx.NodeProto.create({ opType: 'Mul', input: [inputs[0], `${l.name}.beta`], output: [l.name] }));
      break;
    case 'UpSampling2D':
      initializers.push(tensor(`${l.name}.scales`, [4], new Float32Array([1, 1, c.size![0], c.size![1]])));
      nodes.push(onnx.NodeProto.create({ opType: 'Resize', input: [inputs[0], '', `${l.name}.scales`], output: [l.name], attribute: [str('mode', 'nearest')] }));
      break;
    case 'PixelShuffle4x': // tf.depthToSpace on NHWC orders channels as ONNX's DCR mode
      nodes.push(onnx.NodeProto.create({ opType: 'DepthToSpace', input: inputs, output: [l.name], attribute: [int('blocksize', 4), str('mode', 'DCR')] }));
      break;
    default:
      throw new Error(`layer ${l.name}: ${l.class_name} is not handled`);
  }
}
for (const f of features) nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [f], output: [`feature_${f}`] }));
const valueInfo = (name: string) =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, {}, { dimParam: 'height' }, { dimParam: 'width' }] } } } });
const graph = onnx.GraphProto.create({ name: 'keras-sr', node: nodes, initializer: initializers, input: [valueInfo('input')], output: features.map((f) => valueInfo(`feature_${f}`)) });
const onnxModel = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'grids scripts/keras-sr-to-onnx.ts', graph });
await writeFile(outFile, onnx.ModelProto.encode(onnxModel).finish());
console.log(`wrote ${outFile}: ${nodes.length} nodes for ${features.join(', ')}`);
