/**
 * npm run bench:core — prints how long the core statistics take (no assertions; the machine is shared,
 * so read the figures as one run's measurements):
 * - fitGGD on 1e6 samples (target ≤ 50 ms; the paper reports 5 s per degradation for its estimate);
 * - the 11×11 similarity matrices from fitted GGDs;
 * - the DDR statistic of a realistic feature stack (64 patches × 16 channels × 64×64).
 */
import { DEGRADATION_IDS } from '../src/core/degradations/ids';
import { ddrStatistic } from '../src/core/ddr';
import { fitGGD, sampleGGD } from '../src/core/ggd';
import { createRng } from '../src/core/random';
import { buildSimilarity } from '../src/core/similarity';

function timeIt(label: string, runs: number, f: () => void): number {
  f(); // warm-up (builds lookup tables, JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(58)} median ${median.toFixed(2).padStart(9)} ms  (min ${times[0].toFixed(2)}, max ${times[times.length - 1].toFixed(2)}, ${runs} runs)`);
  return median;
}

const rng = createRng(1);
const samples = Float32Array.from(sampleGGD({ sigma: 1, beta: 0.8 }, 1_000_000, rng));
const fit = timeIt('fitGGD, 1e6 float32 samples', 21, () => fitGGD(samples));
console.log(`  → ${fit <= 50 ? 'meets' : 'misses'} the 50 ms target`);

const ggds = DEGRADATION_IDS.map(() => ({ sigma: rng.uniform(0.05, 2), beta: rng.uniform(0.3, 3) }));
timeIt('11×11 similarity matrices (forward, reverse, symmetric)', 201, () => buildSimilarity(DEGRADATION_IDS, ggds));

const rows = 64, cols = 16 * 64 * 64;
const features = Float32Array.from({ length: rows * cols }, () => rng.normal());
timeIt(`DDR statistic, ${rows} patches × ${cols} features, k = 32`, 5, () => ddrStatistic(features, rows, cols, { k: 32 }));
