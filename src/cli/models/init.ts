import type { Rng } from '../../core/random';
import type { NetworkGraph } from './graph';

/** Parameter values by name, in tfjs layout (see ParamSpec). Free of tfjs, so tools can build models without it. */
export type ParamValues = Record<string, Float32Array>;

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
