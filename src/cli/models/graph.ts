/**
 * A tiny network IR shared by the tfjs trainer and the ONNX writer: both walk the same node list,
 * so an architecture is described once and the exported model cannot drift from the trained one.
 * Tensors are named; the graph input is always `input` (NHWC in tfjs, NCHW in ONNX).
 */
export type Activation = 'relu' | 'lrelu' | 'prelu';

export type GraphNode =
  | { op: 'conv'; input: string; output: string; weight: string; bias: string; inChannels: number; outChannels: number; kernel: number }
  | { op: 'relu'; input: string; output: string }
  | { op: 'lrelu'; input: string; output: string; alpha: number }
  | { op: 'prelu'; input: string; output: string; slope: string; channels: number }
  | { op: 'add'; inputs: [string, string]; output: string }
  | { op: 'depthToSpace'; input: string; output: string; block: number };

export interface ParamSpec {
  name: string;
  /** tfjs layout: conv weights [k, k, in, out], biases [out], PReLU slopes [channels]. */
  shape: number[];
  init: { kind: 'kaiming'; fanIn: number; scale: number } | { kind: 'constant'; value: number };
}

export interface NetworkGraph {
  nodes: GraphNode[];
  params: ParamSpec[];
  /** The restored image (or SR output). */
  output: string;
  /** Named intermediate tensors exported as extra outputs (DDR features for the descriptor). */
  features: Record<string, string>;
  /** Output size relative to input size (4 for ×4 SR). */
  scale: number;
}

/** Builds node lists without hand-numbering tensor names. */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly params: ParamSpec[] = [];
  private counter = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  conv(input: string, name: string, inChannels: number, outChannels: number, kernel = 3, initScale = 1): string {
    const output = this.fresh(name);
    const weight = `${name}.weight`;
    const bias = `${name}.bias`;
    this.params.push(
      { name: weight, shape: [kernel, kernel, inChannels, outChannels], init: { kind: 'kaiming', fanIn: inChannels * kernel * kernel, scale: initScale } },
      { name: bias, shape: [outChannels], init: { kind: 'constant', value: 0 } },
    );
    this.nodes.push({ op: 'conv', input, output, weight, bias, inChannels, outChannels, kernel });
    return output;
  }

  activation(input: string, kind: Activation, name: string, channels: number): string {
    const output = this.fresh(`${name}_${kind}`);
    if (kind === 'relu') this.nodes.push({ op: 'relu', input, output });
    else if (kind === 'lrelu') this.nodes.push({ op: 'lrelu', input, output, alpha: 0.1 });
    else {
      const slope = `${name}.prelu`;
      this.params.push({ name: slope, shape: [channels], init: { kind: 'constant', value: 0.25 } });
      this.nodes.push({ op: 'prelu', input, output, slope, channels });
    }
    return output;
  }

  add(a: string, b: string): string {
    const output = this.fresh('add');
    this.nodes.push({ op: 'add', inputs: [a, b], output });
    return output;
  }

  depthToSpace(input: string, block: number): string {
    const output = this.fresh('d2s');
    this.nodes.push({ op: 'depthToSpace', input, output, block });
    return output;
  }
}

/** Multiply-accumulate count per input pixel (×2 for FLOPs), for throughput figures. */
export function macsPerInputPixel(graph: NetworkGraph): number {
  // Track each tensor's spatial scale relative to the input, so convs after upsampling count more.
  const area = new Map<string, number>([['input', 1]]);
  let macs = 0;
  for (const node of graph.nodes) {
    const inArea = area.get(node.op === 'add' ? node.inputs[0] : node.input) ?? 1;
    if (node.op === 'conv') macs += inArea * node.inChannels * node.outChannels * node.kernel * node.kernel;
    area.set(node.output, node.op === 'depthToSpace' ? inArea * node.block * node.block : inArea);
  }
  return macs;
}
