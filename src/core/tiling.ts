/**
 * Runs a conv net over images too big for one pass: `planTiles` cuts the input into overlapping
 * windows, the caller runs the model on each, and a blender stitches the outputs back with
 * feathered weights so no seam shows where two tiles' border artefacts meet.
 *
 * Shared by the browser worker and the CLI, so nothing here knows about the model or the runtime.
 */
import { createImage, type RgbImage } from './image.ts';

/** An input window, in input pixels. */
export interface Tile {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface TilePlanOptions {
  /** Tile side in input pixels (the window is tile × tile when the image is at least that big). */
  tile: number;
  /** Minimum overlap between neighbouring tiles, in input pixels; 0 ≤ overlap < tile. */
  overlap: number;
}

/**
 * Overlapping tiles that cover a width × height image, row-major. Every tile is tile × tile, except
 * along an axis where the image is smaller than one tile (there the tile spans the whole axis).
 * Start positions are spread evenly between 0 and size − tile, so the last tile is not a sliver
 * and neighbours overlap by at least `overlap` (by slightly more where the image size requires).
 */
export function planTiles(width: number, height: number, options: TilePlanOptions): Tile[] {
  checkPositiveInteger('image width', width);
  checkPositiveInteger('image height', height);
  const { tile, overlap } = options;
  checkPositiveInteger('tile', tile);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile) {
    throw new RangeError(`overlap must be an integer with 0 ≤ overlap < tile (${tile}), got ${overlap}`);
  }
  const xs = axisStarts(width, tile, overlap);
  const ys = axisStarts(height, tile, overlap);
  const w = Math.min(tile, width);
  const h = Math.min(tile, height);
  const tiles: Tile[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y, w, h });
  return tiles;
}

/**
 * Tile starts along one axis. With n tiles the largest gap (size − tile)/(n − 1) must not exceed
 * the stride tile − overlap; rounding evenly spaced real starts keeps every gap within
 * [floor, ceil] of that, and the stride is an integer, so the overlap guarantee survives rounding.
 */
function axisStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const span = size - tile;
  const gaps = Math.ceil(span / (tile - overlap));
  return Array.from({ length: gaps + 1 }, (_, i) => Math.round((i * span) / gaps));
}

export interface BlenderOptions {
  /** The overlap the tiles were planned with (input pixels): the width of the feathering ramp. */
  overlap: number;
  /** Only RGB is supported; present so call sites say what they pass. */
  channels?: 3;
  /** Output pixels per input pixel (4 for a ×4 SR model). Default 1. */
  scale?: number;
}

export interface Blender {
  /** Output size: the input size times `scale`. */
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  /** Sum of feathering weights per output pixel (width × height); 0 where no tile has landed yet. */
  readonly weights: Float32Array;
  /**
   * Blends one tile's model output: HWC RGB of (tile.w·scale) × (tile.h·scale) values.
   * `tile` is the input window it came from, as returned by {@link planTiles}.
   */
  add(tile: Tile, data: Float32Array): void;
  /**
   * The blended image. It shares the blender's buffer (no copy of a possibly huge image), so tiles
   * added later change it; clone it for an intermediate preview. Throws if a pixel has no tile,
   * unless `allowPartial` (uncovered pixels are then 0).
   */
  result(options?: { allowPartial?: boolean }): RgbImage;
}

/**
 * A blender for a width × height input image (sizes in input pixels).
 *
 * Each tile contributes with weight wx·wy, where the 1-D weight ramps linearly from 1/(r+1) at an
 * edge that lies inside the image up to 1 at r pixels from it (r = overlap·scale), and is 1 at edges
 * on the image border, whose pixels no other tile can help with. When two tiles overlap by exactly
 * r, their ramps sum to 1, so a jump between tiles becomes a linear blend of r + 1 steps.
 *
 * The blend is kept as a running weighted mean rather than Σwv / Σw: tiles that agree leave the
 * mean exactly unchanged, so float32 storage stays exact for them however many tiles overlap.
 */
export function createBlender(width: number, height: number, options: BlenderOptions): Blender {
  checkPositiveInteger('image width', width);
  checkPositiveInteger('image height', height);
  const scale = options.scale ?? 1;
  checkPositiveInteger('scale', scale);
  if (!Number.isInteger(options.overlap) || options.overlap < 0) {
    throw new RangeError(`overlap must be a non-negative integer, got ${options.overlap}`);
  }
  if (options.channels !== undefined && options.channels !== 3) {
    throw new RangeError(`only 3-channel (RGB) tiles can be blended, got channels = ${String(options.channels)}`);
  }
  const outWidth = width * scale;
  const outHeight = height * scale;
  const mean = new Float32Array(outWidth * outHeight * 3);
  const weights = new Float32Array(outWidth * outHeight);

  return {
    width: outWidth,
    height: outHeight,
    scale,
    weights,

    add(tile, data) {
      checkTile(tile, width, height);
      const tw = tile.w * scale;
      const th = tile.h * scale;
      if (data.length !== tw * th * 3) {
        throw new RangeError(
          `tile ${tile.w}×${tile.h}+${tile.x}+${tile.y} at scale ${scale} needs ${tw}×${th}×3 = ${tw * th * 3} values, got ${data.length}`,
        );
      }
      const wx = featherRamp(tw, options.overlap * scale, tile.x === 0, tile.x + tile.w === width);
      const wy = featherRamp(th, options.overlap * scale, tile.y === 0, tile.y + tile.h === height);
      const ox = tile.x * scale;
      const oy = tile.y * scale;
      for (let j = 0; j < th; j++) {
        for (let i = 0; i < tw; i++) {
          const w = wx[i] * wy[j];
          const p = (oy + j) * outWidth + ox + i;
          const total = weights[p] + w;
          const share = w / total;
          weights[p] = total;
          const src = (j * tw + i) * 3;
          const dst = p * 3;
          mean[dst] += share * (data[src] - mean[dst]);
          mean[dst + 1] += share * (data[src + 1] - mean[dst + 1]);
          mean[dst + 2] += share * (data[src + 2] - mean[dst + 2]);
        }
      }
    },

    result(resultOptions = {}) {
      if (!resultOptions.allowPartial) {
        const missing = weights.indexOf(0);
        if (missing >= 0) {
          throw new Error(
            `output pixel (${missing % outWidth}, ${Math.floor(missing / outWidth)}) is not covered by any tile added so far`,
          );
        }
      }
      return createImage(outWidth, outHeight, mean);
    },
  };
}

/**
 * The 1-D feathering weights across a tile of `length` output pixels. `ramp` is the overlap in
 * output pixels; sides that touch the image border keep weight 1. Where a tile is narrower than
 * two ramps, the smaller of the two applies, so weights stay in (0, 1].
 */
export function featherRamp(length: number, ramp: number, startOnBorder: boolean, endOnBorder: boolean): Float32Array {
  const weights = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const fromStart = startOnBorder ? 1 : Math.min(1, (i + 1) / (ramp + 1));
    const fromEnd = endOnBorder ? 1 : Math.min(1, (length - i) / (ramp + 1));
    weights[i] = Math.min(fromStart, fromEnd);
  }
  return weights;
}

/** The 2-D weights a blender gives a tile's output pixels, row-major (tile.h·scale) × (tile.w·scale). */
export function tileWeights(tile: Tile, width: number, height: number, overlap: number, scale = 1): Float32Array {
  checkTile(tile, width, height);
  const wx = featherRamp(tile.w * scale, overlap * scale, tile.x === 0, tile.x + tile.w === width);
  const wy = featherRamp(tile.h * scale, overlap * scale, tile.y === 0, tile.y + tile.h === height);
  const out = new Float32Array(wx.length * wy.length);
  for (let j = 0; j < wy.length; j++) for (let i = 0; i < wx.length; i++) out[j * wx.length + i] = wx[i] * wy[j];
  return out;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

function checkTile(tile: Tile, width: number, height: number): void {
  const { x, y, w, h } = tile;
  const integers = [x, y, w, h].every(Number.isInteger);
  if (!integers || x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
    throw new RangeError(`tile ${w}×${h}+${x}+${y} does not lie inside the ${width}×${height} image`);
  }
}
