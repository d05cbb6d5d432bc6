import { GraphBuilder, type Activation, type NetworkGraph } from './graph';

/**
 * Architecture registry (BasicSR style): an id maps to a builder of the shared graph IR.
 * Options are plain JSON so they can be stored in checkpoints and the manifest.
 */
export interface ArchOptions {
  /** Feature channels. */
  width: number;
  /** Residual blocks. */
  depth: number;
  /** Activation inside the residual blocks. */
  activation: Activation;
  /** Upscaling factor (srresnet-sr only: 2 or 4). */
  scale?: number;
}

export interface ArchDefinition {
  id: string;
  description: string;
  defaults: ArchOptions;
  build(options: ArchOptions): NetworkGraph;
}

/** Appends `depth` residual blocks; `outputs` (when given) receives each block's output tensor. */
function residualBlocks(g: GraphBuilder, input: string, width: number, depth: number, activation: Activation, outputs?: string[]): string {
  let x = input;
  for (let i = 0; i < depth; i++) {
    // BasicSR's ResidualBlockNoBN: conv-act-conv + identity, with weights scaled by 0.1 at init
    // so deep stacks start close to the identity.
    let y = g.conv(x, `body.${i}.conv1`, width, width, 3, 0.1);
    y = g.activation(y, activation, `body.${i}.act`, width);
    y = g.conv(y, `body.${i}.conv2`, width, width, 3, 0.1);
    x = g.add(x, y);
    outputs?.push(x);
  }
  return x;
}

/** The paper's same-resolution SRResNet: conv, residual blocks without BN, conv, global residual. */
const srresnet: ArchDefinition = {
  id: 'srresnet',
  description: 'same-resolution SRResNet restorer: conv + act, N residual blocks (no BN), conv, plus the input',
  defaults: { width: 32, depth: 4, activation: 'relu' },
  build({ width, depth, activation }) {
    const g = new GraphBuilder();
    let x = g.conv('input', 'conv_first', 3, width);
    x = g.activation(x, 'lrelu', 'conv_first', width);
    x = residualBlocks(g, x, width, depth, activation);
    // A small last layer starts the network near the identity (output ≈ input), which the global
    // residual makes the natural starting point; full-scale Kaiming here adds noise that short
    // trainings spend most of their steps removing.
    x = g.conv(x, 'conv_last', width, 3, 3, 0.1);
    const output = g.add('input', x);
    return { nodes: g.nodes, params: g.params, output, features: {}, scale: 1 };
  },
};

/**
 * The degradation descriptor: MSRResNet for bicubic ×scale SR without the global residual (as in
 * SRGA). Exposes DDR feature layers: `last_block` (after the last residual block, LR size),
 * `hidden_hr` (after the final HR conv + LeakyReLU(0.1), before the output conv), and `block_<k>`
 * (after residual block k, for k < depth: cheaper layers, measured as candidates).
 */
const srresnetSr: ArchDefinition = {
  id: 'srresnet-sr',
  description: 'MSRResNet ×2/×4 super-resolution descriptor with pixel shuffle; exposes DDR feature layers',
  defaults: { width: 32, depth: 4, activation: 'relu', scale: 4 },
  build({ width, depth, activation, scale = 4 }) {
    if (scale !== 2 && scale !== 4) throw new Error(`srresnet-sr supports scale 2 or 4, got ${scale}`);
    const g = new GraphBuilder();
    let x = g.conv('input', 'conv_first', 3, width);
    x = g.activation(x, 'lrelu', 'conv_first', width);
    const blocks: string[] = [];
    const lastBlock = residualBlocks(g, x, width, depth, activation, blocks);
    x = lastBlock;
    for (let i = 0; i < Math.log2(scale); i++) {
      x = g.conv(x, `upconv${i + 1}`, width, width * 4);
      x = g.depthToSpace(x, 2);
      x = g.activation(x, 'lrelu', `upconv${i + 1}`, width);
    }
    x = g.conv(x, 'conv_hr', width, width);
    const hiddenHr = g.activation(x, 'lrelu', 'conv_hr', width);
    const output = g.conv(hiddenHr, 'conv_last', width, 3);
    const intermediate = Object.fromEntries(blocks.slice(0, -1).map((tensor, i) => [`block_${i + 1}`, tensor]));
    return { nodes: g.nodes, params: g.params, output, features: { ...intermediate, last_block: lastBlock, hidden_hr: hiddenHr }, scale };
  },
};

export const ARCHITECTURES: Record<string, ArchDefinition> = {
  [srresnet.id]: srresnet,
  [srresnetSr.id]: srresnetSr,
};

export function getArchitecture(id: string): ArchDefinition {
  const arch = ARCHITECTURES[id];
  if (!arch) throw new Error(`unknown architecture "${id}"; known: ${Object.keys(ARCHITECTURES).join(', ')}`);
  return arch;
}

export function buildGraph(id: string, options: Partial<ArchOptions> = {}): { graph: NetworkGraph; options: ArchOptions } {
  const arch = getArchitecture(id);
  const merged = { ...arch.defaults, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ArchOptions;
  for (const key of ['width', 'depth'] as const) {
    if (!Number.isInteger(merged[key]) || merged[key] < (key === 'depth' ? 0 : 1)) {
      throw new Error(`--${key} must be a ${key === 'depth' ? 'non-negative' : 'positive'} integer, got ${merged[key]}`);
    }
  }
  return { graph: arch.build(merged), options: merged };
}
