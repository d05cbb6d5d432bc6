import { describe, expect, it } from 'vitest';
import { FLOPS_PER_STEP, simdKernelModule } from './wasm-simd-peak';

function kernel(fused: boolean) {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(simdKernelModule(fused)));
  return instance.exports as { run: (steps: number) => number; memory: WebAssembly.Memory };
}

describe('the wasm SIMD peak kernel', () => {
  it('does the multiply-adds it is credited with: 12 accumulators × 4 lanes, each a·b per step', async () => {
    const { run, memory } = kernel(false);
    const operands = new Float32Array(memory.buffer, 0, 1024);
    operands.fill(1);
    // Every accumulator gains 1·1 per step in each lane; run returns lane 0 of their sum.
    expect(run(10)).toBe(12 * 10);
    operands.fill(0.5);
    expect(run(8)).toBe(12 * 8 * 0.25);
    expect(FLOPS_PER_STEP).toBe(12 * 4 * 2);
  });

  it('reads different operands as it walks its 4 KiB (the pointer wraps, nothing outside is touched)', async () => {
    const { run, memory } = kernel(false);
    const operands = new Float32Array(memory.buffer, 0, 1024);
    // 64 bytes per step: B's 12 floats and A's 4. One step reads A[0]·B[0] into accumulator (0,0) only from step 0's block.
    for (let step = 0; step < 64; step++) operands.fill(step + 1, step * 16, step * 16 + 16);
    new Float32Array(memory.buffer, 4096, 16).fill(1e6);
    const expected = Array.from({ length: 64 }, (_, step) => 12 * (step + 1) ** 2).reduce((a, b) => a + b, 0);
    expect(run(64)).toBe(expected);
  });
});
