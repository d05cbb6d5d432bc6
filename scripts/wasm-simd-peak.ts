/**
 * What one thread of WebAssembly SIMD can compute on this machine: a 4×3 register-blocked
 * single-precision kernel (the shape of a GEMM micro-kernel such as MLAS's: each step loads 3
 * vectors of B and 4 broadcast values of A from L1-resident memory and updates 12 vector
 * accumulators), assembled here byte by byte so that nothing but the kernel is timed.
 *
 * Two flavours: f32x4.mul + f32x4.add (the SIMD128 that onnxruntime-web 1.30's wasm build uses) and
 * f32x4.relaxed_madd (relaxed SIMD, a fused multiply-add where the CPU has one). Each step is
 * 12 × 4 lanes × 2 = 96 flops. bench:web times them in the page (WebAssembly.instantiate, then
 * run(steps)); an engine without relaxed SIMD refuses the second module.
 */

const SIMD = 0xfd;
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
/** Signed LEB128, as i32.const wants its immediate. */
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const simd = (opcode: number) => [SIMD, ...uleb(opcode)];
const memarg = (alignLog2: number, offset: number) => [...uleb(alignLog2), ...uleb(offset)];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];

const OP = {
  localGet: 0x20, localSet: 0x21, localTee: 0x22, i32Const: 0x41, i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71,
  loop: 0x03, brIf: 0x0d, end: 0x0b, voidType: 0x40,
};
const SIMD_OP = { load: 0x00, load32Splat: 0x09, extractLaneF32: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6, f32x4RelaxedMadd: 0x105 };

export const FLOPS_PER_STEP = 96;
export const PEAK_STEPS = 20_000_000;

/**
 * A module exporting run(steps: i32) → f32, lane 0 of the sum of the accumulators (so that none is
 * dead code), and its memory (the operands: the first 4 KiB).
 */
export function simdKernelModule(fused: boolean): Uint8Array<ArrayBuffer> {
  // Locals: 0 steps (param), 1 pointer, 2..13 accumulators, 14..16 B vectors, 17 the broadcast A value.
  const acc = (i: number, j: number) => 2 + i * 3 + j;
  const b = (j: number) => 14 + j;
  const a = 17;
  const body: number[] = [OP.loop, OP.voidType];
  for (let j = 0; j < 3; j++) body.push(OP.localGet, 1, ...simd(SIMD_OP.load), ...memarg(4, 16 * j), OP.localSet, b(j));
  for (let i = 0; i < 4; i++) {
    body.push(OP.localGet, 1, ...simd(SIMD_OP.load32Splat), ...memarg(2, 48 + 4 * i), OP.localSet, a);
    for (let j = 0; j < 3; j++) {
      if (fused) body.push(OP.localGet, a, OP.localGet, b(j), OP.localGet, acc(i, j), ...simd(SIMD_OP.f32x4RelaxedMadd));
      else body.push(OP.localGet, acc(i, j), OP.localGet, a, OP.localGet, b(j), ...simd(SIMD_OP.f32x4Mul), ...simd(SIMD_OP.f32x4Add));
      body.push(OP.localSet, acc(i, j));
    }
  }
  // pointer = (pointer + 64) & 4095: 4 KiB of operands, always in L1.
  body.push(OP.localGet, 1, OP.i32Const, ...sleb(64), OP.i32Add, OP.i32Const, ...sleb(4095), OP.i32And, OP.localSet, 1);
  body.push(OP.localGet, 0, OP.i32Const, ...sleb(1), OP.i32Sub, OP.localTee, 0, OP.brIf, 0, OP.end);
  body.push(OP.localGet, acc(0, 0));
  for (let k = 1; k < 12; k++) body.push(OP.localGet, 2 + k, ...simd(SIMD_OP.f32x4Add));
  body.push(...simd(SIMD_OP.extractLaneF32), 0, OP.end);
  const locals = vector([[1, 0x7f], [16, 0x7b]]);
  const code = [...locals, ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector([[0x7f]]), ...vector([[0x7d]])]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector([[...uleb(3), ...new TextEncoder().encode('run'), 0x00, 0], [...uleb(6), ...new TextEncoder().encode('memory'), 0x02, 0]])),
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ];
  return new Uint8Array(bytes);
}
