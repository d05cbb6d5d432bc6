import onnxProto from 'onnx-proto';
import { ROUTER_INPUT, ROUTER_OUTPUT } from '../../core/router/router';
import { PATCH_FEATURE_COUNT } from '../../core/router/patch-features';
import { floatTensor, ONNX_OPSET } from '../onnx/writer';
import { routerParamShapes, type RouterWeights } from './train';

const { onnx } = onnxProto;

/**
 * The router as ONNX (opset 17), the same graph as train.ts's forward():
 *   patches [n, k, F] → standardise → MatMul+Add → Relu → MatMul+Add → Relu
 *   → ReduceMean and ReduceMax over k → Concat → MatMul+Add → Relu → MatMul+Add → logits [n, classes]
 * n and k are dynamic, so any number of patches (and photos) can be read.
 */
export function exportRouterOnnx(weights: RouterWeights, docString: string): Uint8Array {
  const initializers = [
    floatTensor('feature_mean', [PATCH_FEATURE_COUNT], weights.mean),
    floatTensor('feature_scale', [PATCH_FEATURE_COUNT], weights.scale),
    ...routerParamShapes(weights.hidden).map(([name, shape]) => floatTensor(name, shape, weights.params[name])),
  ];
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) =>
    onnx.NodeProto.create({ opType, name: output, input, output: [output], attribute });
  const axes = (values: number[]) => onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  const keepdims = onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 });
  const axis1 = onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 });
  const nodes = [
    node('Sub', [ROUTER_INPUT, 'feature_mean'], 'centred'),
    node('Div', ['centred', 'feature_scale'], 'standardised'),
    node('MatMul', ['standardised', 'w1'], 'm1'), node('Add', ['m1', 'b1'], 'a1'), node('Relu', ['a1'], 'e1'),
    node('MatMul', ['e1', 'w2'], 'm2'), node('Add', ['m2', 'b2'], 'a2'), node('Relu', ['a2'], 'e2'),
    node('ReduceMean', ['e2'], 'pooled_mean', [axes([1]), keepdims]),
    node('ReduceMax', ['e2'], 'pooled_max', [axes([1]), keepdims]),
    node('Concat', ['pooled_mean', 'pooled_max'], 'pooled', [axis1]),
    node('MatMul', ['pooled', 'w3'], 'm3'), node('Add', ['m3', 'b3'], 'a3'), node('Relu', ['a3'], 'e3'),
    node('MatMul', ['e3', 'w4'], 'm4'), node('Add', ['m4', 'b4'], ROUTER_OUTPUT),
  ];
  const valueInfo = (name: string, dims: (number | string)[]) => onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'grids',
    producerVersion: '0.1.0',
    docString,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: 'router',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(ROUTER_INPUT, ['photos', 'patches', PATCH_FEATURE_COUNT])],
      output: [valueInfo(ROUTER_OUTPUT, ['photos', weights.params.b4.length])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
