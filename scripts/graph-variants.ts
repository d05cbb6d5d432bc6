/**
 * Variants of a restorer's graph for bench:web: a fixed input shape, and, for "where the time goes",
 * the graph with one kind of operator taken out, timed whole on one tile in onnxruntime-web and
 * onnxruntime-node. The difference from the full graph is what that kind costs where it sits (fused
 * or not, with its memory traffic). Timing each node as a model of its own does not work in the
 * browser: copying its 8 MB input into the wasm heap and its output out of it costs more than an
 * activation, and ORT-web's profiler writes into the wasm module's private file system, out of a
 * page's reach.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface GraphAblation {
  label: string;
  bytes: Uint8Array;
  /** Multiply-adds ×2 of the Conv nodes left, on a tile of the given size. */
  convFlops: number;
}

/**
 * The model without the nodes `drop` selects. A dropped node's output is replaced, wherever it is
 * used, by its data input; for a two-input Add, by the input made last (the block's branch, not the
 * skip connection, so the convolutions still form one chain).
 */
export function withoutNodes(modelBytes: Uint8Array, drop: (opType: string) => boolean): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name!));
  const producedAt = new Map<string, number>();
  const replaced = new Map<string, string>();
  const resolve = (name: string) => replaced.get(name) ?? name;
  const kept: (typeof graph.node) = [];
  (graph.node ?? []).forEach((node, index) => {
    node.input = (node.input ?? []).map(resolve);
    if (drop(node.opType!)) {
      const data = node.input.filter((name) => !initializers.has(name));
      const latest = data.reduce((a, b) => ((producedAt.get(b) ?? -1) > (producedAt.get(a) ?? -1) ? b : a));
      replaced.set(node.output![0], latest);
      return;
    }
    producedAt.set(node.output![0], index);
    kept.push(node);
  });
  graph.node = kept;
  const used = new Set(kept.flatMap((n) => n.input ?? []));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name!));
  return onnx.ModelProto.encode(model).finish();
}

/** Multiply-adds ×2 of a model's Conv nodes on an H×W input (stride 1, same padding). */
export function convFlops(modelBytes: Uint8Array, height: number, width: number): number {
  const graph = onnx.ModelProto.decode(modelBytes).graph!;
  const weights = new Map((graph.initializer ?? []).map((t) => [t.name!, (t.dims ?? []).map(Number)]));
  return (graph.node ?? [])
    .filter((n) => n.opType === 'Conv')
    .reduce((sum, n) => sum + 2 * weights.get(n.input![1])!.reduce((a, b) => a * b, 1) * height * width, 0);
}

/** The model with every input and output fixed to `dims` (batch, channels, height, width; channels kept). */
export function withFixedShape(modelBytes: Uint8Array, [batch, , height, width]: readonly number[]): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  for (const info of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const dims = info.type!.tensorType!.shape!.dim!;
    const channels = dims[1];
    info.type!.tensorType!.shape!.dim = [{ dimValue: batch }, channels, { dimValue: height }, { dimValue: width }];
  }
  return onnx.ModelProto.encode(model).finish();
}

const ACTIVATIONS = new Set(['Relu', 'LeakyRelu', 'PRelu']);

/** The full graph, and without its activations, its Adds, and both (convolutions only). */
export function graphAblations(modelBytes: Uint8Array, height: number, width: number): GraphAblation[] {
  const variants: [string, (op: string) => boolean][] = [
    ['full graph', () => false],
    ['without activations', (op) => ACTIVATIONS.has(op)],
    ['without Adds', (op) => op === 'Add'],
    ['convolutions only', (op) => ACTIVATIONS.has(op) || op === 'Add'],
  ];
  return variants.map(([label, drop]) => {
    const bytes = withoutNodes(modelBytes, drop);
    return { label, bytes, convFlops: convFlops(bytes, height, width) };
  });
}
