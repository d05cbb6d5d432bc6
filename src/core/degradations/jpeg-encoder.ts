/*
  Baseline JPEG encoder: a TypeScript port of the encoder of jpeg-js 0.4.4 (lib/encoder.js,
  https://github.com/eugeneware/jpeg-js), which carries the two notices below.

  Copyright (c) 2014, Eugene Ware
  All rights reserved.

  Redistribution and use in source and binary forms, with or without
  modification, are permitted provided that the following conditions are met:

  1. Redistributions of source code must retain the above copyright
     notice, this list of conditions and the following disclaimer.
  2. Redistributions in binary form must reproduce the above copyright
     notice, this list of conditions and the following disclaimer in the
     documentation and/or other materials provided with the distribution.
  3. Neither the name of Eugene Ware nor the names of its contributors
     may be used to endorse or promote products derived from this software
     without specific prior written permission.

  THIS SOFTWARE IS PROVIDED BY EUGENE WARE ''AS IS'' AND ANY
  EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
  WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
  DISCLAIMED. IN NO EVENT SHALL EUGENE WARE BE LIABLE FOR ANY
  DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
  (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
  LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND
  ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
  (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
  SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

  ---

  Copyright (c) 2008, Adobe Systems Incorporated
  All rights reserved.

  Redistribution and use in source and binary forms, with or without
  modification, are permitted provided that the following conditions are
  met:

  * Redistributions of source code must retain the above copyright notice,
    this list of conditions and the following disclaimer.

  * Redistributions in binary form must reproduce the above copyright
    notice, this list of conditions and the following disclaimer in the
    documentation and/or other materials provided with the distribution.

  * Neither the name of Adobe Systems Incorporated nor the names of its
    contributors may be used to endorse or promote products derived from
    this software without specific prior written permission.

  THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS
  IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO,
  THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR
  PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR
  CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
  EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO,
  PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR
  PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
  LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
  NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
  SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

  jpeg-js credits its encoder as: "JPEG encoder ported to JavaScript and optimized by Andreas Ritter,
  www.bytestrom.eu, 11/2009", itself a port of Adobe's ActionScript 3 JPGEncoder (as3corelib).
*/

/**
 * Baseline JPEG encoder (8-bit, 3 components, 4:4:4, standard Huffman tables, JFIF APP0 header).
 *
 * This is the algorithm of jpeg-js's `encode` unchanged, operation for operation, so for the same
 * RGBA input and quality it produces byte-identical output (tested against jpeg-js itself). The
 * changes from jpeg-js are only about speed and portability:
 *
 * - The quality-independent tables (Huffman codes, the 65535-entry category/bit-code tables, the
 *   RGB→YCbCr lookup table) are built once per module, on first use, in typed arrays; jpeg-js
 *   rebuilt them (as arrays of small arrays) on every `encode` call.
 * - The quality-dependent quantisation and scaled-DCT tables are cached per scale factor.
 * - Output goes into a growable Uint8Array through a 32-bit bit accumulator (same bits, same 0xFF
 *   byte stuffing) instead of a JS Array of numbers, and a plain Uint8Array is returned. No
 *   `Buffer`, no globals, no data-URI path, no DOM helpers.
 * - No COM (comments) or APP1 (EXIF) segments: jpeg-js writes them only when asked to, and we never
 *   ask.
 * - Invalid input (non-integer or out-of-range sizes, too little pixel data) is rejected with a
 *   RangeError instead of producing NaN-driven garbage or a TypeError deep inside.
 */

const ZIGZAG = Uint8Array.of(
  0, 1, 5, 6, 14, 15, 27, 28,
  2, 4, 7, 13, 16, 26, 29, 42,
  3, 8, 12, 17, 25, 30, 41, 43,
  9, 11, 18, 24, 31, 40, 44, 53,
  10, 19, 23, 32, 39, 45, 52, 54,
  20, 22, 33, 38, 46, 51, 55, 60,
  21, 34, 37, 47, 50, 56, 59, 61,
  35, 36, 48, 49, 57, 58, 62, 63,
);

// Standard Huffman tables (ITU T.81, Annex K.3). `*_NRCODES[k]` is the number of codes of length k
// (index 0 unused), `*_VALUES` the symbols in code order.
const STD_DC_LUMINANCE_NRCODES = Uint8Array.of(0, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
const STD_DC_LUMINANCE_VALUES = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
const STD_AC_LUMINANCE_NRCODES = Uint8Array.of(0, 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d);
const STD_AC_LUMINANCE_VALUES = Uint8Array.of(
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12,
  0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
  0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
  0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
  0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16,
  0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
  0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
  0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
  0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
  0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
  0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
  0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
  0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
  0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4,
  0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
  0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
);
const STD_DC_CHROMINANCE_NRCODES = Uint8Array.of(0, 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0);
const STD_DC_CHROMINANCE_VALUES = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
const STD_AC_CHROMINANCE_NRCODES = Uint8Array.of(0, 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77);
const STD_AC_CHROMINANCE_VALUES = Uint8Array.of(
  0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21,
  0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
  0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
  0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
  0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34,
  0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
  0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38,
  0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
  0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
  0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
  0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
  0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
  0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96,
  0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
  0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4,
  0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
  0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2,
  0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
  0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
  0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
);

// Base quantisation tables (ITU T.81, Annex K.1), natural (row-major) order.
const STD_Y_QT = Uint8Array.of(
  16, 11, 10, 16, 24, 40, 51, 61,
  12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77,
  24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
);
const STD_UV_QT = Uint8Array.of(
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
);
// AAN scale factors of the fDCT, applied in the quantisation step.
const AASF = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];

/** Huffman code (`code`) and length in bits (`size`, 0 = no code) per symbol 0–255. */
interface HuffmanTable {
  code: Uint16Array;
  size: Uint8Array;
}

interface SharedTables {
  yDc: HuffmanTable;
  uvDc: HuffmanTable;
  yAc: HuffmanTable;
  uvAc: HuffmanTable;
  /** category[32767 + v]: the number of bits of |v|, for v in −32767…32767. */
  category: Uint8Array;
  /** bitcode[32767 + v]: the `category` low bits that encode v (v itself, or v + 2^category − 1 if negative). */
  bitcode: Uint16Array;
  /** Fixed-point RGB→YCbCr terms, 8 blocks of 256 (see buildRgbYuvTable). */
  rgbYuv: Int32Array;
}

/** Quantisation tables for one scale factor. */
interface QuantTables {
  /** As written to DQT: zigzag order. */
  yTable: Uint8Array;
  uvTable: Uint8Array;
  /** Reciprocal quantiser × AAN descaling, natural order, multiplied into the fDCT output. */
  fdtblY: Float64Array;
  fdtblUV: Float64Array;
}

function computeHuffmanTable(nrcodes: Uint8Array, values: Uint8Array): HuffmanTable {
  const code = new Uint16Array(256);
  const size = new Uint8Array(256);
  let codeValue = 0;
  let posInTable = 0;
  for (let k = 1; k <= 16; k++) {
    for (let j = 1; j <= nrcodes[k]; j++) {
      code[values[posInTable]] = codeValue;
      size[values[posInTable]] = k;
      posInTable++;
      codeValue++;
    }
    codeValue *= 2;
  }
  return { code, size };
}

function buildSharedTables(): SharedTables {
  const category = new Uint8Array(65535);
  const bitcode = new Uint16Array(65535);
  let nrLower = 1;
  let nrUpper = 2;
  for (let cat = 1; cat <= 15; cat++) {
    for (let nr = nrLower; nr < nrUpper; nr++) {
      category[32767 + nr] = cat;
      bitcode[32767 + nr] = nr;
    }
    for (let nrNeg = -(nrUpper - 1); nrNeg <= -nrLower; nrNeg++) {
      category[32767 + nrNeg] = cat;
      bitcode[32767 + nrNeg] = nrUpper - 1 + nrNeg;
    }
    nrLower <<= 1;
    nrUpper <<= 1;
  }

  const rgbYuv = new Int32Array(2048);
  for (let i = 0; i < 256; i++) {
    rgbYuv[i] = 19595 * i;
    rgbYuv[i + 256] = 38470 * i;
    rgbYuv[i + 512] = 7471 * i + 0x8000;
    rgbYuv[i + 768] = -11059 * i;
    rgbYuv[i + 1024] = -21709 * i;
    rgbYuv[i + 1280] = 32768 * i + 0x807fff;
    rgbYuv[i + 1536] = -27439 * i;
    rgbYuv[i + 1792] = -5329 * i;
  }

  return {
    yDc: computeHuffmanTable(STD_DC_LUMINANCE_NRCODES, STD_DC_LUMINANCE_VALUES),
    uvDc: computeHuffmanTable(STD_DC_CHROMINANCE_NRCODES, STD_DC_CHROMINANCE_VALUES),
    yAc: computeHuffmanTable(STD_AC_LUMINANCE_NRCODES, STD_AC_LUMINANCE_VALUES),
    uvAc: computeHuffmanTable(STD_AC_CHROMINANCE_NRCODES, STD_AC_CHROMINANCE_VALUES),
    category,
    bitcode,
    rgbYuv,
  };
}

let sharedTables: SharedTables | undefined;

function buildQuantTables(sf: number): QuantTables {
  const yTable = new Uint8Array(64);
  const uvTable = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    let t = Math.floor((STD_Y_QT[i] * sf + 50) / 100);
    if (t < 1) t = 1;
    else if (t > 255) t = 255;
    yTable[ZIGZAG[i]] = t;
  }
  for (let j = 0; j < 64; j++) {
    let u = Math.floor((STD_UV_QT[j] * sf + 50) / 100);
    if (u < 1) u = 1;
    else if (u > 255) u = 255;
    uvTable[ZIGZAG[j]] = u;
  }
  const fdtblY = new Float64Array(64);
  const fdtblUV = new Float64Array(64);
  let k = 0;
  for (let row = 0; row < 8; row++) {
    for (let col = 0; col < 8; col++) {
      fdtblY[k] = 1.0 / (yTable[ZIGZAG[k]] * AASF[row] * AASF[col] * 8.0);
      fdtblUV[k] = 1.0 / (uvTable[ZIGZAG[k]] * AASF[row] * AASF[col] * 8.0);
      k++;
    }
  }
  return { yTable, uvTable, fdtblY, fdtblUV };
}

const quantCache = new Map<number, QuantTables>();
const QUANT_CACHE_LIMIT = 128;

/**
 * jpeg-js's quality handling, including its quirks: 0 and NaN mean 50 (its default), values are
 * clamped to 1–100 but not rounded, and the scale factor is the IJG one.
 */
function scaleFactor(quality: number): number {
  let q = quality;
  if (!q) q = 50;
  if (q <= 0) q = 1;
  if (q > 100) q = 100;
  return q < 50 ? Math.floor(5000 / q) : Math.floor(200 - q * 2);
}

function quantTablesFor(quality: number): QuantTables {
  const sf = scaleFactor(quality);
  let tables = quantCache.get(sf);
  if (!tables) {
    if (quantCache.size >= QUANT_CACHE_LIMIT) quantCache.clear();
    tables = buildQuantTables(sf);
    quantCache.set(sf, tables);
  }
  return tables;
}

// ---- Output: a growable byte buffer behind a bit accumulator ------------------------------------
// The encoder is synchronous and never re-entered, so one module-level writer is safe to share.

const INITIAL_CAPACITY = 1 << 16;
/** A buffer that grew beyond this for a large image is dropped after the call instead of kept. */
const RETAINED_CAPACITY = 1 << 22;
/** Upper bound on the entropy-coded bytes of one MCU (3 blocks of at most ~213 bytes, doubled by 0xFF stuffing). */
const MCU_BYTES_BOUND = 2048;

let out = new Uint8Array(0);
let outPos = 0;
/** Pending bits not yet forming a whole byte (the low `bitCount` bits of `bitBuffer`). */
let bitBuffer = 0;
let bitCount = 0;

function ensureCapacity(extra: number): void {
  const needed = outPos + extra;
  if (needed <= out.length) return;
  let capacity = Math.max(out.length * 2, INITIAL_CAPACITY);
  while (capacity < needed) capacity *= 2;
  const grown = new Uint8Array(capacity);
  grown.set(out.subarray(0, outPos));
  out = grown;
}

// Header writers assume the caller reserved room with ensureCapacity.
function writeByte(value: number): void {
  out[outPos++] = value;
}

function writeWord(value: number): void {
  out[outPos++] = (value >> 8) & 0xff;
  out[outPos++] = value & 0xff;
}

/** Appends the low `length` (≤ 24) bits of `value`, MSB first, stuffing a 0x00 after every 0xFF byte. */
function writeBits(value: number, length: number): void {
  bitBuffer = (bitBuffer << length) | (value & ((1 << length) - 1));
  bitCount += length;
  while (bitCount >= 8) {
    bitCount -= 8;
    const byte = (bitBuffer >> bitCount) & 0xff;
    out[outPos++] = byte;
    if (byte === 0xff) out[outPos++] = 0;
  }
  bitBuffer &= (1 << bitCount) - 1;
}

function writeHuffman(table: HuffmanTable, symbol: number): void {
  const length = table.size[symbol];
  if (!length) throw new RangeError(`JPEG encoder: no Huffman code for symbol ${symbol} (coefficient out of range)`);
  writeBits(table.code[symbol], length);
}

function writeAPP0(): void {
  writeWord(0xffe0); // marker
  writeWord(16); // length
  writeByte(0x4a); // J
  writeByte(0x46); // F
  writeByte(0x49); // I
  writeByte(0x46); // F
  writeByte(0); // = "JFIF",'\0'
  writeByte(1); // versionhi
  writeByte(1); // versionlo
  writeByte(0); // xyunits
  writeWord(1); // xdensity
  writeWord(1); // ydensity
  writeByte(0); // thumbnwidth
  writeByte(0); // thumbnheight
}

function writeDQT(quant: QuantTables): void {
  writeWord(0xffdb); // marker
  writeWord(132); // length
  writeByte(0);
  for (let i = 0; i < 64; i++) writeByte(quant.yTable[i]);
  writeByte(1);
  for (let j = 0; j < 64; j++) writeByte(quant.uvTable[j]);
}

function writeSOF0(width: number, height: number, chroma: ChromaSampling): void {
  writeWord(0xffc0); // marker
  writeWord(17); // length, truecolor YUV JPG
  writeByte(8); // precision
  writeWord(height);
  writeWord(width);
  writeByte(3); // nrofcomponents
  writeByte(1); // IdY
  writeByte(chroma === '4:2:0' ? 0x22 : 0x11); // HVY: luma sampled twice as densely each way in 4:2:0
  writeByte(0); // QTY
  writeByte(2); // IdU
  writeByte(0x11); // HVU
  writeByte(1); // QTU
  writeByte(3); // IdV
  writeByte(0x11); // HVV
  writeByte(1); // QTV
}

function writeHuffmanSpec(info: number, nrcodes: Uint8Array, values: Uint8Array, valueCount: number): void {
  writeByte(info);
  for (let i = 0; i < 16; i++) writeByte(nrcodes[i + 1]);
  for (let j = 0; j < valueCount; j++) writeByte(values[j]);
}

function writeDHT(): void {
  writeWord(0xffc4); // marker
  writeWord(0x01a2); // length
  writeHuffmanSpec(0, STD_DC_LUMINANCE_NRCODES, STD_DC_LUMINANCE_VALUES, 12); // HTYDCinfo
  writeHuffmanSpec(0x10, STD_AC_LUMINANCE_NRCODES, STD_AC_LUMINANCE_VALUES, 162); // HTYACinfo
  writeHuffmanSpec(1, STD_DC_CHROMINANCE_NRCODES, STD_DC_CHROMINANCE_VALUES, 12); // HTUDCinfo
  writeHuffmanSpec(0x11, STD_AC_CHROMINANCE_NRCODES, STD_AC_CHROMINANCE_VALUES, 162); // HTUACinfo
}

function writeSOS(): void {
  writeWord(0xffda); // marker
  writeWord(12); // length
  writeByte(3); // nrofcomponents
  writeByte(1); // IdY
  writeByte(0); // HTY
  writeByte(2); // IdU
  writeByte(0x11); // HTU
  writeByte(3); // IdV
  writeByte(0x11); // HTV
  writeByte(0); // Ss
  writeByte(0x3f); // Se
  writeByte(0); // Bf
}

// ---- DCT, quantisation and entropy coding of one 8×8 block --------------------------------------

/** The four luma blocks of a 4:2:0 MCU, in the order the scan stores them. */
const LUMA_BLOCKS_420: readonly (readonly [number, number])[] = [[0, 0], [8, 0], [0, 8], [8, 8]];
const YDU = new Float64Array(64);
const UDU = new Float64Array(64);
const VDU = new Float64Array(64);
/** Quantised coefficients of the current block, zigzag order. */
const DU = new Int32Array(64);

/**
 * In-place AAN forward DCT of `data` (floating point, exactly jpeg-js's operation order), then
 * quantisation with `fdtbl` and round-half-away-from-zero, written into DU in zigzag order.
 */
function fDCTQuant(data: Float64Array, fdtbl: Float64Array): void {
  let dataOff = 0;
  // Pass 1: rows.
  for (let i = 0; i < 8; ++i) {
    const d0 = data[dataOff];
    const d1 = data[dataOff + 1];
    const d2 = data[dataOff + 2];
    const d3 = data[dataOff + 3];
    const d4 = data[dataOff + 4];
    const d5 = data[dataOff + 5];
    const d6 = data[dataOff + 6];
    const d7 = data[dataOff + 7];

    const tmp0 = d0 + d7;
    const tmp7 = d0 - d7;
    const tmp1 = d1 + d6;
    const tmp6 = d1 - d6;
    const tmp2 = d2 + d5;
    const tmp5 = d2 - d5;
    const tmp3 = d3 + d4;
    const tmp4 = d3 - d4;

    // Even part
    let tmp10 = tmp0 + tmp3; // phase 2
    const tmp13 = tmp0 - tmp3;
    let tmp11 = tmp1 + tmp2;
    let tmp12 = tmp1 - tmp2;

    data[dataOff] = tmp10 + tmp11; // phase 3
    data[dataOff + 4] = tmp10 - tmp11;

    const z1 = (tmp12 + tmp13) * 0.707106781; // c4
    data[dataOff + 2] = tmp13 + z1; // phase 5
    data[dataOff + 6] = tmp13 - z1;

    // Odd part
    tmp10 = tmp4 + tmp5; // phase 2
    tmp11 = tmp5 + tmp6;
    tmp12 = tmp6 + tmp7;

    // The rotator is modified from fig 4-8 to avoid extra negations.
    const z5 = (tmp10 - tmp12) * 0.382683433; // c6
    const z2 = 0.5411961 * tmp10 + z5; // c2-c6
    const z4 = 1.306562965 * tmp12 + z5; // c2+c6
    const z3 = tmp11 * 0.707106781; // c4

    const z11 = tmp7 + z3; // phase 5
    const z13 = tmp7 - z3;

    data[dataOff + 5] = z13 + z2; // phase 6
    data[dataOff + 3] = z13 - z2;
    data[dataOff + 1] = z11 + z4;
    data[dataOff + 7] = z11 - z4;

    dataOff += 8;
  }

  // Pass 2: columns.
  dataOff = 0;
  for (let i = 0; i < 8; ++i) {
    const d0 = data[dataOff];
    const d1 = data[dataOff + 8];
    const d2 = data[dataOff + 16];
    const d3 = data[dataOff + 24];
    const d4 = data[dataOff + 32];
    const d5 = data[dataOff + 40];
    const d6 = data[dataOff + 48];
    const d7 = data[dataOff + 56];

    const tmp0p2 = d0 + d7;
    const tmp7p2 = d0 - d7;
    const tmp1p2 = d1 + d6;
    const tmp6p2 = d1 - d6;
    const tmp2p2 = d2 + d5;
    const tmp5p2 = d2 - d5;
    const tmp3p2 = d3 + d4;
    const tmp4p2 = d3 - d4;

    // Even part
    let tmp10p2 = tmp0p2 + tmp3p2; // phase 2
    const tmp13p2 = tmp0p2 - tmp3p2;
    let tmp11p2 = tmp1p2 + tmp2p2;
    let tmp12p2 = tmp1p2 - tmp2p2;

    data[dataOff] = tmp10p2 + tmp11p2; // phase 3
    data[dataOff + 32] = tmp10p2 - tmp11p2;

    const z1p2 = (tmp12p2 + tmp13p2) * 0.707106781; // c4
    data[dataOff + 16] = tmp13p2 + z1p2; // phase 5
    data[dataOff + 48] = tmp13p2 - z1p2;

    // Odd part
    tmp10p2 = tmp4p2 + tmp5p2; // phase 2
    tmp11p2 = tmp5p2 + tmp6p2;
    tmp12p2 = tmp6p2 + tmp7p2;

    // The rotator is modified from fig 4-8 to avoid extra negations.
    const z5p2 = (tmp10p2 - tmp12p2) * 0.382683433; // c6
    const z2p2 = 0.5411961 * tmp10p2 + z5p2; // c2-c6
    const z4p2 = 1.306562965 * tmp12p2 + z5p2; // c2+c6
    const z3p2 = tmp11p2 * 0.707106781; // c4

    const z11p2 = tmp7p2 + z3p2; // phase 5
    const z13p2 = tmp7p2 - z3p2;

    data[dataOff + 40] = z13p2 + z2p2; // phase 6
    data[dataOff + 24] = z13p2 - z2p2;
    data[dataOff + 8] = z11p2 + z4p2;
    data[dataOff + 56] = z11p2 - z4p2;

    dataOff++;
  }

  // Quantise/descale and round to nearest (half away from zero), reordering to zigzag.
  for (let i = 0; i < 64; ++i) {
    const v = data[i] * fdtbl[i];
    DU[ZIGZAG[i]] = v > 0.0 ? (v + 0.5) | 0 : (v - 0.5) | 0;
  }
}

/** Encodes one block (DC as a difference to `dc`); returns the block's DC for the next one. */
function processDU(tables: SharedTables, cdu: Float64Array, fdtbl: Float64Array, dc: number, htdc: HuffmanTable, htac: HuffmanTable): number {
  const { category, bitcode } = tables;
  fDCTQuant(cdu, fdtbl);
  const diff = DU[0] - dc;
  // Encode DC
  if (diff === 0) {
    writeHuffman(htdc, 0);
  } else {
    const pos = 32767 + diff;
    writeHuffman(htdc, category[pos]);
    writeBits(bitcode[pos], category[pos]);
  }
  // Encode ACs: end0pos = last nonzero coefficient.
  let end0pos = 63;
  while (end0pos > 0 && DU[end0pos] === 0) end0pos--;
  if (end0pos === 0) {
    writeHuffman(htac, 0x00); // EOB
    return DU[0];
  }
  let i = 1;
  while (i <= end0pos) {
    const startpos = i;
    while (DU[i] === 0 && i <= end0pos) ++i;
    let nrzeroes = i - startpos;
    if (nrzeroes >= 16) {
      const lng = nrzeroes >> 4;
      for (let nrmarker = 1; nrmarker <= lng; ++nrmarker) writeHuffman(htac, 0xf0); // ZRL
      nrzeroes &= 0xf;
    }
    const pos = 32767 + DU[i];
    writeHuffman(htac, (nrzeroes << 4) + category[pos]);
    writeBits(bitcode[pos], category[pos]);
    i++;
  }
  if (end0pos !== 63) writeHuffman(htac, 0x00); // EOB
  return DU[0];
}

/** Chroma sampling: full resolution, or halved each way (libjpeg's default, what cameras and most websites save). */
export type ChromaSampling = '4:4:4' | '4:2:0';

/**
 * Encodes 8-bit RGBA pixels (row-major, 4 bytes per pixel, alpha ignored) as a baseline JPEG.
 * `quality` follows jpeg-js: 1–100 (clamped; 0 or NaN mean 50). With 4:4:4 sampling the bytes are
 * identical to jpeg-js's `encode({ width, height, data: rgba }, quality)`. With 4:2:0 each 16×16 MCU
 * holds four luma blocks and one block of each chroma, averaged over 2×2 pixels with libjpeg's
 * alternating rounding bias (jcsample.c h2v2_downsample); the tables and quality scaling are the same.
 */
export function encodeBaselineJpeg(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  quality: number,
  chroma: ChromaSampling = '4:4:4',
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new RangeError(`JPEG size must be whole numbers of pixels in 1–65535, got ${width}×${height}`);
  }
  if (rgba.length < width * height * 4) {
    throw new RangeError(`RGBA data has ${rgba.length} bytes, expected ${width * height * 4}`);
  }
  const tables = (sharedTables ??= buildSharedTables());
  const quant = quantTablesFor(quality);
  const { rgbYuv, yDc, uvDc, yAc, uvAc } = tables;

  outPos = 0;
  bitBuffer = 0;
  bitCount = 0;
  // Headers are 607 bytes; reserve for them and a first share of the entropy-coded data.
  ensureCapacity(1024 + Math.min(width * height, 1 << 20));

  writeWord(0xffd8); // SOI
  writeAPP0();
  writeDQT(quant);
  writeSOF0(width, height, chroma);
  writeDHT();
  writeSOS();

  let dcy = 0;
  let dcu = 0;
  let dcv = 0;
  const lastRow = height - 1;
  const lastCol = width - 1;
  // Blocks that reach past the image repeat its last row / column (jpeg-js's padding).
  const pixel = (x: number, y: number) => (Math.min(y, lastRow) * width + Math.min(x, lastCol)) * 4;
  const lumaBlock = (x: number, y: number) => {
    for (let row = 0; row < 8; row++) {
      for (let col = 0; col < 8; col++) {
        const p = pixel(x + col, y + row);
        YDU[row * 8 + col] = ((rgbYuv[rgba[p]] + rgbYuv[rgba[p + 1] + 256] + rgbYuv[rgba[p + 2] + 512]) >> 16) - 128;
      }
    }
  };
  // Cb and Cr of one pixel, 0–255 (the tables carry the +128 offset).
  const cb = (p: number) => (rgbYuv[rgba[p] + 768] + rgbYuv[rgba[p + 1] + 1024] + rgbYuv[rgba[p + 2] + 1280]) >> 16;
  const cr = (p: number) => (rgbYuv[rgba[p] + 1280] + rgbYuv[rgba[p + 1] + 1536] + rgbYuv[rgba[p + 2] + 1792]) >> 16;

  if (chroma === '4:4:4') {
    for (let y = 0; y < height; y += 8) {
      for (let x = 0; x < width; x += 8) {
        lumaBlock(x, y);
        for (let row = 0; row < 8; row++) {
          for (let col = 0; col < 8; col++) {
            const p = pixel(x + col, y + row);
            UDU[row * 8 + col] = cb(p) - 128;
            VDU[row * 8 + col] = cr(p) - 128;
          }
        }
        ensureCapacity(MCU_BYTES_BOUND);
        dcy = processDU(tables, YDU, quant.fdtblY, dcy, yDc, yAc);
        dcu = processDU(tables, UDU, quant.fdtblUV, dcu, uvDc, uvAc);
        dcv = processDU(tables, VDU, quant.fdtblUV, dcv, uvDc, uvAc);
      }
    }
  } else {
    for (let y = 0; y < height; y += 16) {
      for (let x = 0; x < width; x += 16) {
        ensureCapacity(2 * MCU_BYTES_BOUND);
        for (const [dx, dy] of LUMA_BLOCKS_420) {
          lumaBlock(x + dx, y + dy);
          dcy = processDU(tables, YDU, quant.fdtblY, dcy, yDc, yAc);
        }
        for (let row = 0; row < 8; row++) {
          for (let col = 0; col < 8; col++) {
            const p00 = pixel(x + 2 * col, y + 2 * row);
            const p10 = pixel(x + 2 * col + 1, y + 2 * row);
            const p01 = pixel(x + 2 * col, y + 2 * row + 1);
            const p11 = pixel(x + 2 * col + 1, y + 2 * row + 1);
            const bias = 1 + (col & 1); // 1, 2, 1, 2, … across the row
            UDU[row * 8 + col] = ((cb(p00) + cb(p10) + cb(p01) + cb(p11) + bias) >> 2) - 128;
            VDU[row * 8 + col] = ((cr(p00) + cr(p10) + cr(p01) + cr(p11) + bias) >> 2) - 128;
          }
        }
        dcu = processDU(tables, UDU, quant.fdtblUV, dcu, uvDc, uvAc);
        dcv = processDU(tables, VDU, quant.fdtblUV, dcv, uvDc, uvAc);
      }
    }
  }

  // Bit-align before EOI with 1-bits. Like jpeg-js this always writes 8 − pending bits, so an
  // already aligned stream gets a whole 0xFF (stuffed) byte.
  ensureCapacity(8);
  writeBits(0xff, 8 - bitCount);
  writeWord(0xffd9); // EOI

  const result = out.slice(0, outPos);
  if (out.length > RETAINED_CAPACITY) out = new Uint8Array(0);
  outPos = 0;
  return result;
}
