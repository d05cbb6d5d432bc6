/**
 * Seeded PRNG (sfc32, 128-bit state) shared by degradations, crop sampling and training. The state
 * is four uint32s, so a training checkpoint can store it and resume the exact same stream.
 */
export type RngState = readonly [number, number, number, number];

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box–Muller; draws two uniforms per call so the state stays four words). */
  normal(): number;
  /** Poisson-distributed integer with the given mean. */
  poisson(mean: number): number;
  /** Picks one element uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A snapshot of the state; `createRngFromState` resumes from it. */
  state(): RngState;
  /** An independent generator derived from this one (advances this one by one draw). */
  fork(): Rng;
}

function sfc32(a: number, b: number, c: number, d: number) {
  const s = new Uint32Array([a, b, c, d]);
  const nextU32 = () => {
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  };
  return { s, nextU32 };
}

/** splitmix32: turns an arbitrary seed into well-mixed words. */
function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const mix = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  const rng = createRngFromState([mix(), mix(), mix(), mix()]);
  for (let i = 0; i < 12; i++) rng.next(); // warm-up, as sfc32's authors recommend
  return rng;
}

export function createRngFromState(state: RngState): Rng {
  const { s, nextU32 } = sfc32(state[0], state[1], state[2], state[3]);
  const next = () => nextU32() / 4294967296;
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => {
      const u1 = 1 - next(); // (0, 1]: log never sees 0
      const u2 = next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    poisson: (mean) => samplePoisson(rng, mean),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)];
    },
    state: () => [s[0], s[1], s[2], s[3]],
    fork: () => createRng(nextU32()),
  };
  return rng;
}

function samplePoisson(rng: Rng, mean: number): number {
  if (!(mean >= 0)) throw new RangeError(`Poisson mean must be ≥ 0, got ${mean}`);
  if (mean === 0) return 0;
  // Exact for any mean: split into chunks of at most 30 (sum of independent Poissons is Poisson),
  // each sampled by Knuth's multiplication method, which is exact and fast for small means.
  let total = 0;
  let remaining = mean;
  while (remaining > 0) {
    const lambda = Math.min(remaining, 30);
    remaining -= lambda;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    total += k;
  }
  return total;
}
