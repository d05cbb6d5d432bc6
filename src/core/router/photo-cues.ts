/**
 * Whole-photo tone and colour cues for the OOD warning. The router's patch cues (patch-features.ts)
 * describe local detail, which is what the 11 degradations change; damage outside them (haze, a
 * colour cast, under- or over-exposure, vignetting, too few tones) changes the photo's tones and
 * colours as a whole, and the patch cues are blind to most of it. These cues are what the OOD
 * model's tone anomaly (tone-anomaly.ts) measures against the training photos.
 *
 * Pure TypeScript, like the patch cues: the worker and the CLI compute the same numbers.
 */
import { resize } from '../degradations/resize';
import { nearestRankQuantile } from '../order-statistics';
import type { RgbImage } from '../image';

/** The name stored with a fitted tone model, so that a changed cue definition is caught at load time. */
export const PHOTO_CUES_VERSION = 'photo-cues-v2';
/** Tone cues are read on a copy whose longer side is at most this (area average), so any photo costs the same. */
export const THUMBNAIL_SIDE = 256;
/** Side of the thumbnail's blocks whose darkest value is the dark channel (He et al. 2009 use 15 px at full size). */
const BLOCK = 8;

/**
 * The cues, each with the direction in which damage outside the 11 pushes it: +1 up, −1 down, 0
 * either way. Only that side counts as unusual (tone-anomaly.ts): a photo darker in the corners
 * than its centre may be vignetted; brighter corners are just the scene.
 */
export const PHOTO_CUES = [
  /** Haze, fog, over-exposure and faded prints lift the darkest values (He et al.'s dark channel). */
  { name: 'dark_channel_p10', direction: 1 },
  /** Under-exposure leaves nothing bright. */
  { name: 'luma_p99', direction: -1 },
  /** A colour cast scales one channel's edges against the others' (grey edge). */
  { name: 'edge_red_over_green', direction: 0 },
  { name: 'edge_blue_over_green', direction: 0 },
  /** Vignetting darkens the corners, all four of them. */
  { name: 'corner_over_centre', direction: -1 },
  { name: 'brightest_corner_over_centre', direction: -1 },
  /** Haze and fading take contrast from every block, the most contrasted ones too. */
  { name: 'block_contrast_p90', direction: -1 },
  /** Posterisation and crushed tones leave gaps between the 8-bit levels in use. */
  { name: 'log_level_occupancy', direction: -1 },
  /** Over-exposure clips highlights to white. */
  { name: 'log_white_share', direction: 1 },
  /** Haze, fading and stray light add light everywhere: even the darkest pixels are no longer black. */
  { name: 'black_point', direction: 1 },
  /** ... and over most of the frame, where a bright scene (sky, snow) still has a dark corner somewhere. */
  { name: 'black_point_cells_q25', direction: 1 },
  /** A light leak or a flare washes one edge with warm light, its darkest pixels included. */
  { name: 'warm_edge_floor', direction: 1 },
] as const satisfies readonly { name: string; direction: -1 | 0 | 1 }[];

export const PHOTO_CUE_NAMES: readonly string[] = PHOTO_CUES.map((c) => c.name);
export const PHOTO_CUE_COUNT = PHOTO_CUE_NAMES.length;

/** The photo, area-averaged so that its longer side is at most `side` (unchanged when it already is). */
export function thumbnail(image: RgbImage, side = THUMBNAIL_SIDE): RgbImage {
  const scale = side / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  return resize(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), 'area');
}

/** Pixels the level cues read at most: every pixel of a crop, an even sample of a large photo, so any photo costs the same. */
export const LEVEL_SAMPLE = 1 << 18;

/**
 * At full resolution (no resampling may fill the gaps): the share of the 8-bit green levels in use
 * between the darkest and the brightest, and of pixels with a channel clipped at its maximum.
 */
function levelCues(image: RgbImage): { occupancy: number; whiteShare: number } {
  const levels = new Uint8Array(256);
  let white = 0, read = 0, minLevel = 255, maxLevel = 0;
  const pixels = image.width * image.height;
  const stride = Math.max(1, Math.ceil(pixels / LEVEL_SAMPLE));
  for (let i = 0; i < pixels; i += stride) {
    const r = image.data[3 * i], g = image.data[3 * i + 1], b = image.data[3 * i + 2];
    const level = Math.max(0, Math.min(255, Math.round(g * 255)));
    levels[level] = 1;
    if (level < minLevel) minLevel = level;
    if (level > maxLevel) maxLevel = level;
    if (Math.max(r, g, b) >= 254.5 / 255) white++;
    read++;
  }
  let used = 0;
  for (let l = minLevel; l <= maxLevel; l++) used += levels[l];
  return { occupancy: used / Math.max(1, maxLevel - minLevel + 1), whiteShare: white / Math.max(1, read) };
}

/**
 * Per BLOCK² block of the thumbnail, its darkest and brightest channel value: the dark channel's
 * 10th percentile, and the 90th percentile of the blocks' contrast (bright − dark) / (bright + dark).
 * Haze lifts every block's darkest value by the airlight, edges included, so even the most
 * contrasted blocks lose contrast, which bright flat scenes (sky, snow) do not show.
 */
function blockCues(t: RgbImage): { darkP10: number; contrastP90: number } {
  const { width, height, data } = t;
  const bw = Math.ceil(width / BLOCK), bh = Math.ceil(height / BLOCK);
  const darkest = new Float64Array(bw * bh), contrast = new Float64Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let dark = Infinity, bright = -Infinity;
      for (let y = by * BLOCK; y < Math.min(height, (by + 1) * BLOCK); y++) {
        for (let x = bx * BLOCK; x < Math.min(width, (bx + 1) * BLOCK); x++) {
          const s = (y * width + x) * 3;
          dark = Math.min(dark, data[s], data[s + 1], data[s + 2]);
          bright = Math.max(bright, data[s], data[s + 1], data[s + 2]);
        }
      }
      darkest[by * bw + bx] = dark;
      contrast[by * bw + bx] = (bright - dark) / (bright + dark + 0.02);
    }
  }
  return { darkP10: nearestRankQuantile(darkest, 0.1), contrastP90: nearestRankQuantile(contrast, 0.9) };
}

/** Side of the grid of cells whose black points black_point_cells_q25 reads. */
const CELLS = 4;
/** An edge strip is this share of the side, for warm_edge_floor. */
const EDGE_STRIP = 1 / 6;

/**
 * Where the thumbnail's black is: the 1st percentile of each pixel's darkest channel over the whole
 * photo, and the lower quartile of the same over CELLS × CELLS cells, so that one dark corner is not
 * enough; and the warmest edge strip's floor, the 5th percentile of red − blue, which a warm glow
 * from that edge lifts while a scene's warm object rarely fills a whole strip.
 */
function blackCues(t: RgbImage): { blackPoint: number; cellsQ25: number; warmEdgeFloor: number } {
  const { width, height, data } = t;
  const darkest = new Float64Array(width * height);
  for (let i = 0; i < darkest.length; i++) darkest[i] = Math.min(data[3 * i], data[3 * i + 1], data[3 * i + 2]);
  const cellBlack: number[] = [];
  for (let cy = 0; cy < CELLS; cy++) {
    for (let cx = 0; cx < CELLS; cx++) {
      const x0 = Math.floor((cx * width) / CELLS), x1 = Math.floor(((cx + 1) * width) / CELLS);
      const y0 = Math.floor((cy * height) / CELLS), y1 = Math.floor(((cy + 1) * height) / CELLS);
      if (x1 <= x0 || y1 <= y0) continue; // a photo narrower than CELLS pixels
      const values = new Float64Array((x1 - x0) * (y1 - y0));
      let k = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) values[k++] = darkest[y * width + x];
      cellBlack.push(nearestRankQuantile(values, 0.01));
    }
  }
  const stripX = Math.max(1, Math.round(width * EDGE_STRIP)), stripY = Math.max(1, Math.round(height * EDGE_STRIP));
  const strips = [
    { x0: 0, x1: stripX, y0: 0, y1: height }, { x0: width - stripX, x1: width, y0: 0, y1: height },
    { x0: 0, x1: width, y0: 0, y1: stripY }, { x0: 0, x1: width, y0: height - stripY, y1: height },
  ];
  const warmFloors = strips.map(({ x0, x1, y0, y1 }) => {
    const warmth = new Float64Array((x1 - x0) * (y1 - y0));
    let k = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) warmth[k++] = data[3 * (y * width + x)] - data[3 * (y * width + x) + 2];
    return nearestRankQuantile(warmth, 0.05);
  });
  // Last: the quantile rearranges `darkest`, which the cells above read in place.
  return { blackPoint: nearestRankQuantile(darkest, 0.01), cellsQ25: nearestRankQuantile(Float64Array.from(cellBlack), 0.25), warmEdgeFloor: Math.max(...warmFloors) };
}

/**
 * Mean luminance of the outer ring (beyond 3/4 of the centre-to-corner distance) and of each corner's
 * part of it, against the centre disc (within 0.35): log ratios, so a uniform exposure change cancels.
 */
function cornerCues(t: RgbImage, luma: Float64Array): { ring: number; brightestCorner: number } {
  const { width, height } = t;
  const cx = (width - 1) / 2, cy = (height - 1) / 2, corner = Math.hypot(cx, cy) || 1;
  let centre = 0, centreCount = 0;
  const cornerSum = [0, 0, 0, 0], cornerCount = [0, 0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - cx, y - cy) / corner;
      const v = luma[y * width + x];
      if (r > 0.75) {
        const q = (y > cy ? 2 : 0) + (x > cx ? 1 : 0);
        cornerSum[q] += v;
        cornerCount[q]++;
      } else if (r < 0.35) {
        centre += v;
        centreCount++;
      }
    }
  }
  const ringCount = cornerCount.reduce((a, b) => a + b, 0);
  if (!centreCount || !ringCount) return { ring: 0, brightestCorner: 0 }; // a photo too small to have both
  const centreLuma = centre / centreCount + 0.02;
  const ring = Math.log((cornerSum.reduce((a, b) => a + b, 0) / ringCount + 0.02) / centreLuma);
  const corners = cornerSum.flatMap((s, q) => (cornerCount[q] ? [Math.log((s / cornerCount[q] + 0.02) / centreLuma)] : []));
  return { ring, brightestCorner: Math.max(...corners) };
}

/**
 * Grey edge (van de Weijer et al. 2007): colour differences across edges average to grey in natural
 * photos whatever the scene's own colours, so a channel's gain shows in its edges. Log ratios of the
 * red and blue channels' mean absolute differences to green's.
 */
function greyEdgeCues(t: RgbImage): { red: number; blue: number } {
  const { width, height, data } = t;
  let edgeR = 0, edgeG = 0, edgeB = 0;
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const s = (y * width + x) * 3, right = s + 3, below = s + 3 * width;
      edgeR += Math.abs(data[right] - data[s]) + Math.abs(data[below] - data[s]);
      edgeG += Math.abs(data[right + 1] - data[s + 1]) + Math.abs(data[below + 1] - data[s + 1]);
      edgeB += Math.abs(data[right + 2] - data[s + 2]) + Math.abs(data[below + 2] - data[s + 2]);
    }
  }
  // A flat photo has no edges: the floor makes its ratios 0 rather than undefined.
  const floor = 1e-3 * Math.max(1, (width - 1) * (height - 1));
  return { red: Math.log((edgeR + floor) / (edgeG + floor)), blue: Math.log((edgeB + floor) / (edgeG + floor)) };
}

/** PHOTO_CUE_COUNT values describing the photo's tones and colours, in the order of PHOTO_CUES. */
export function photoCues(image: RgbImage): Float32Array {
  const { occupancy, whiteShare } = levelCues(image);
  const t = thumbnail(image);
  const luma = new Float64Array(t.width * t.height);
  for (let i = 0; i < luma.length; i++) luma[i] = 0.299 * t.data[3 * i] + 0.587 * t.data[3 * i + 1] + 0.114 * t.data[3 * i + 2];
  const { darkP10, contrastP90 } = blockCues(t);
  const corners = cornerCues(t, luma);
  const greyEdge = greyEdgeCues(t);
  const black = blackCues(t);
  const values: Record<(typeof PHOTO_CUES)[number]['name'], number> = {
    dark_channel_p10: darkP10,
    luma_p99: nearestRankQuantile(luma.slice(), 0.99),
    edge_red_over_green: greyEdge.red,
    edge_blue_over_green: greyEdge.blue,
    corner_over_centre: corners.ring,
    brightest_corner_over_centre: corners.brightestCorner,
    block_contrast_p90: contrastP90,
    log_level_occupancy: Math.log(occupancy),
    log_white_share: Math.log(whiteShare + 1e-3),
    black_point: black.blackPoint,
    black_point_cells_q25: black.cellsQ25,
    warm_edge_floor: black.warmEdgeFloor,
  };
  return Float32Array.from(PHOTO_CUES, (c) => values[c.name]);
}
