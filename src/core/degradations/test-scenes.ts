import { createImage, quantize8, type RgbImage } from '../image.ts';
import { createRng, type Rng } from '../random.ts';

/**
 * A deterministic, procedural "natural-ish" landscape for tests and docs: sky gradient with soft
 * clouds, a sun with a glow, two ranges of hills, a textured field with crop rows, a house with sharp
 * edges, windows and roof tiles, a power line and a fence (1–2 px lines), and a sign with rows of
 * text-like dashes (fine stripes). The seed moves and recolours things; the layout is relative, so
 * any size works. Shape edges are anti-aliased from signed distances. Output is 8-bit quantised.
 *
 * Our own content (no photo licence involved), so it ships as public/samples/test-scene.png.
 */
export interface TestSceneOptions {
  readonly width?: number;
  readonly height?: number;
  readonly seed?: number;
}

type Rgb = [number, number, number];

/** Fixed colours (hoisted so the per-pixel loop allocates nothing). */
const PALETTE = {
  cloud: [0.97, 0.97, 0.98],
  sunGlow: [1, 0.93, 0.7],
  sun: [1, 0.95, 0.6],
  wire: [0.13, 0.13, 0.15],
  pole: [0.3, 0.22, 0.16],
  windowGlass: [0.16, 0.24, 0.38],
  windowFrame: [0.96, 0.96, 0.94],
  door: [0.36, 0.2, 0.12],
  doorKnob: [0.9, 0.8, 0.3],
  fence: [0.42, 0.32, 0.22],
  signPost: [0.35, 0.27, 0.2],
  signBoard: [0.95, 0.95, 0.92],
  ink: [0.08, 0.08, 0.1],
} as const satisfies Record<string, Readonly<Rgb>>;

/** Coverage of a pixel by a shape whose signed distance (in px, negative inside) is d. */
function coverage(d: number): number {
  return d <= -0.5 ? 1 : d >= 0.5 ? 0 : 0.5 - d;
}

function blend(c: Rgb, target: Readonly<Rgb>, alpha: number): void {
  if (alpha <= 0) return;
  c[0] += (target[0] - c[0]) * alpha;
  c[1] += (target[1] - c[1]) * alpha;
  c[2] += (target[2] - c[2]) * alpha;
}

function scaleRgb(c: Readonly<Rgb>, k: number): Rgb {
  return [c[0] * k, c[1] * k, c[2] * k];
}

/** Signed distance to an axis-aligned box (negative inside). */
function boxDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = Math.max(x0 - px, px - x1);
  const dy = Math.max(y0 - py, py - y1);
  return dx > 0 && dy > 0 ? Math.hypot(dx, dy) : Math.max(dx, dy);
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  let t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Smooth 2-D value noise in [0, 1] on a lattice of hashed values, with octaves (fbm). */
function makeNoise(seed: number): (x: number, y: number, octaves: number) => number {
  const hash = (ix: number, iy: number): number => {
    let h = Math.imul(ix, 374761393) ^ Math.imul(iy, 668265263) ^ Math.imul(seed, 2246822519);
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
  };
  const smooth = (t: number) => t * t * (3 - 2 * t);
  const value = (x: number, y: number): number => {
    const ix = Math.floor(x);
    const iy = Math.floor(y);
    const fx = smooth(x - ix);
    const fy = smooth(y - iy);
    const top = hash(ix, iy) + (hash(ix + 1, iy) - hash(ix, iy)) * fx;
    const bottom = hash(ix, iy + 1) + (hash(ix + 1, iy + 1) - hash(ix, iy + 1)) * fx;
    return top + (bottom - top) * fy;
  };
  return (x, y, octaves) => {
    let sum = 0;
    let amplitude = 0.5;
    let norm = 0;
    for (let o = 0; o < octaves; o++) {
      sum += amplitude * value(x * 2 ** o, y * 2 ** o);
      norm += amplitude;
      amplitude *= 0.5;
    }
    return sum / norm;
  };
}

/** A smooth random ridge line: base + a few sines (in relative units). */
function makeRidge(rng: Rng, base: number, amplitude: number): (u: number) => number {
  const waves = [1, 2, 3].map((k) => ({
    freq: (k + rng.uniform(-0.3, 0.3)) * 2 * Math.PI,
    phase: rng.uniform(0, 2 * Math.PI),
    amp: (amplitude / k) * rng.uniform(0.5, 1),
  }));
  return (u) => waves.reduce((v, w) => v + w.amp * Math.sin(w.freq * u + w.phase), base);
}

export function generateTestScene(options: TestSceneOptions = {}): RgbImage {
  const { width = 256, height = 256, seed = 0 } = options;
  const rng = createRng(seed);
  const noise = makeNoise(rng.int(0, 2 ** 30));
  const unit = Math.min(width, height) / 256; // 1 px at 256², scaled for other sizes
  const thin = Math.max(0.5, 0.5 * unit); // half-width of a 1 px line

  // Layout, in pixels.
  const horizon = rng.uniform(0.55, 0.62) * height;
  const skyTop: Rgb = [rng.uniform(0.12, 0.25), rng.uniform(0.3, 0.42), rng.uniform(0.62, 0.8)];
  const skyLow: Rgb = [rng.uniform(0.75, 0.9), rng.uniform(0.78, 0.88), rng.uniform(0.85, 0.95)];
  const houseOnRight = rng.next() < 0.5;
  const sun = {
    x: (houseOnRight ? rng.uniform(0.12, 0.35) : rng.uniform(0.65, 0.88)) * width,
    y: rng.uniform(0.12, 0.25) * height,
    r: rng.uniform(0.045, 0.07) * Math.min(width, height),
  };
  const farRidge = makeRidge(rng, 0.47, 0.05);
  const nearRidge = makeRidge(rng, 0.55, 0.035);
  const farHill: Rgb = [rng.uniform(0.35, 0.45), rng.uniform(0.48, 0.56), rng.uniform(0.58, 0.66)];
  const nearHill: Rgb = [rng.uniform(0.2, 0.3), rng.uniform(0.38, 0.48), rng.uniform(0.18, 0.26)];
  const fieldNear: Rgb = [rng.uniform(0.45, 0.62), rng.uniform(0.55, 0.65), rng.uniform(0.15, 0.25)];
  const fieldFar: Rgb = [rng.uniform(0.3, 0.4), rng.uniform(0.5, 0.58), rng.uniform(0.2, 0.28)];

  const houseW = rng.uniform(0.26, 0.32) * width;
  const houseX0 = (houseOnRight ? rng.uniform(0.56, 0.64) : rng.uniform(0.06, 0.14)) * width;
  const houseX1 = houseX0 + houseW;
  const wallTop = horizon - rng.uniform(0.1, 0.14) * height;
  const wallBottom = horizon + rng.uniform(0.06, 0.09) * height;
  const roofApex = { x: (houseX0 + houseX1) / 2, y: wallTop - rng.uniform(0.1, 0.14) * height };
  const roofOverhang = 0.03 * width;
  const wallColour: Rgb = [rng.uniform(0.82, 0.92), rng.uniform(0.74, 0.84), rng.uniform(0.6, 0.7)];
  const roofColour: Rgb = [rng.uniform(0.55, 0.7), rng.uniform(0.16, 0.26), rng.uniform(0.1, 0.18)];
  const wallHeight = wallBottom - wallTop;
  const windowSize = Math.min(houseW * 0.22, wallHeight * 0.4);
  const windows = [0.25, 0.75].map((f) => ({
    x0: houseX0 + houseW * f - windowSize / 2,
    y0: wallTop + wallHeight * 0.22,
    size: windowSize,
  }));
  const door = {
    x0: roofApex.x - houseW * 0.08,
    x1: roofApex.x + houseW * 0.08,
    y0: wallTop + wallHeight * 0.45,
    y1: wallBottom,
  };

  // Power line: two poles in the background and a sagging wire between them.
  const poleA = (houseOnRight ? 0.08 : 0.55) * width;
  const poleB = poleA + 0.36 * width;
  const poleTop = horizon - 0.28 * height;
  const poleBase = horizon + 0.01 * height;
  const sag = 0.05 * height;

  // Sign with rows of text-like dashes, in the field on the side opposite the house.
  const signX0 = (houseOnRight ? rng.uniform(0.12, 0.2) : rng.uniform(0.6, 0.7)) * width;
  const signX1 = signX0 + 0.22 * width;
  const signY0 = horizon + 0.1 * height;
  const signY1 = signY0 + 0.12 * height;
  const linePitch = Math.max(2, Math.round(3 * unit));
  const textRows: { y: number; dashes: [number, number][] }[] = [];
  for (let y = signY0 + 2 * linePitch; y + linePitch < signY1 - linePitch; y += linePitch) {
    const dashes: [number, number][] = [];
    for (let x = signX0 + 2 * unit + 2; x < signX1 - 3 * unit; ) {
      const len = rng.int(2, 7) * unit;
      dashes.push([x, Math.min(x + len, signX1 - 3 * unit)]);
      x += len + rng.int(1, 3) * unit + 1;
    }
    textRows.push({ y, dashes });
  }

  const fenceY0 = horizon + 0.2 * height;
  const fenceY1 = fenceY0 + 0.07 * height;
  const fencePitch = 0.045 * width;

  // Ridge heights per column, and the lower of the two hill lines (clouds only live above it).
  const farTop = new Float64Array(width);
  const nearTop = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    farTop[x] = farRidge((x + 0.5) / width) * height;
    nearTop[x] = nearRidge((x + 0.5) / width) * height;
  }

  const image = createImage(width, height);
  const out = image.data;
  const c: Rgb = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;

      // Sky: vertical gradient, soft clouds.
      const t = Math.min(1, py / horizon);
      c[0] = skyTop[0] + (skyLow[0] - skyTop[0]) * t;
      c[1] = skyTop[1] + (skyLow[1] - skyTop[1]) * t;
      c[2] = skyTop[2] + (skyLow[2] - skyTop[2]) * t;
      const farY = farTop[x];
      const nearY = nearTop[x];
      if (py < farY + 1) {
        const cloud = noise((px / width) * 6, (py / height) * 14, 5);
        blend(c, PALETTE.cloud, Math.max(0, Math.min(1, (cloud - 0.55) * 3)) * 0.8);
      }

      // Sun: glow, then a crisp disk.
      const sunDistance = Math.hypot(px - sun.x, py - sun.y);
      blend(c, PALETTE.sunGlow, 0.45 * Math.exp(-Math.max(0, sunDistance - sun.r) / (sun.r * 0.8)));
      blend(c, PALETTE.sun, coverage(sunDistance - sun.r));

      // Power line, behind the hills' silhouette is fine: it is in the far background.
      const wireT = (px - poleA) / (poleB - poleA);
      if (wireT >= 0 && wireT <= 1) {
        const wireY = poleTop + 4 * unit + 4 * sag * wireT * (1 - wireT);
        blend(c, PALETTE.wire, coverage(Math.abs(py - wireY) - thin));
      }
      for (const pole of [poleA, poleB]) {
        blend(c, PALETTE.pole, coverage(boxDistance(px, py, pole - unit, poleTop, pole + unit, poleBase)));
        blend(c, PALETTE.pole, coverage(boxDistance(px, py, pole - 6 * unit, poleTop + 3 * unit, pole + 6 * unit, poleTop + 5 * unit)));
      }

      // Far and near hills, with a little texture.
      if (py > farY - 1 && py < horizon + 1) {
        const farShade = 0.9 + 0.2 * noise(px / 12, py / 12, 3);
        blend(c, scaleRgb(farHill, farShade), coverage(farY - py));
      }
      if (py > nearY - 1 && py < horizon + 1) {
        const nearShade = 0.8 + 0.35 * noise(px / 6, py / 6, 4);
        blend(c, scaleRgb(nearHill, nearShade), coverage(nearY - py));
      }

      // Field: colour gets warmer towards the viewer, crop rows converge to a vanishing point.
      if (py > horizon - 1) {
        const depth = (py - horizon) / (height - horizon);
        const base: Rgb = [
          fieldFar[0] + (fieldNear[0] - fieldFar[0]) * depth,
          fieldFar[1] + (fieldNear[1] - fieldFar[1]) * depth,
          fieldFar[2] + (fieldNear[2] - fieldFar[2]) * depth,
        ];
        // Rows fade out towards the horizon, where they would be finer than a pixel and only alias.
        const rows = 0.5 + 0.5 * Math.sin(((px - width / 2) / Math.max(1, py - horizon + 8)) * 40);
        const rowStrength = Math.min(1, depth * 2.5);
        const grain = noise(px / 2.5, py / 2.5, 3);
        const shade = 0.72 + 0.18 * (rows * rowStrength + 0.5 * (1 - rowStrength)) + 0.25 * grain;
        blend(c, scaleRgb(base, shade), coverage(horizon - py));
      }

      // House: wall with brick courses, roof with tiles, windows with frames and crosses, door.
      const wallD = boxDistance(px, py, houseX0, wallTop, houseX1, wallBottom);
      if (wallD < 1) {
        const course = Math.abs(((py - wallTop) % (4 * unit)) - 2 * unit) < 0.5 * unit ? 0.88 : 1;
        blend(c, scaleRgb(wallColour, course), coverage(wallD));
      }
      const roofD = triangleDistance(
        px,
        py,
        houseX0 - roofOverhang,
        wallTop,
        houseX1 + roofOverhang,
        wallTop,
        roofApex.x,
        roofApex.y,
      );
      if (roofD < 1) {
        const tiles = 0.82 + 0.18 * (0.5 + 0.5 * Math.sin(((py - roofApex.y) / unit) * 1.7));
        blend(c, scaleRgb(roofColour, tiles), coverage(roofD));
      }
      for (const w of windows) {
        const frame = boxDistance(px, py, w.x0 - 1.5 * unit, w.y0 - 1.5 * unit, w.x0 + w.size + 1.5 * unit, w.y0 + w.size + 1.5 * unit);
        blend(c, PALETTE.windowFrame, coverage(frame));
        blend(c, PALETTE.windowGlass, coverage(boxDistance(px, py, w.x0, w.y0, w.x0 + w.size, w.y0 + w.size)));
        const cx = w.x0 + w.size / 2;
        const cy = w.y0 + w.size / 2;
        const inWindow = boxDistance(px, py, w.x0, w.y0, w.x0 + w.size, w.y0 + w.size) < 0;
        if (inWindow) blend(c, PALETTE.windowFrame, Math.max(coverage(Math.abs(px - cx) - thin), coverage(Math.abs(py - cy) - thin)));
      }
      blend(c, PALETTE.door, coverage(boxDistance(px, py, door.x0, door.y0, door.x1, door.y1)));
      blend(c, PALETTE.doorKnob, coverage(Math.hypot(px - door.x1 + 3 * unit, py - (door.y0 + door.y1) / 2) - 1.2 * unit));

      // Fence: thin posts and two rails.
      if (py > fenceY0 - 2 && py < fenceY1 + 2) {
        const postX = Math.round(px / fencePitch) * fencePitch;
        blend(c, PALETTE.fence, coverage(boxDistance(px, py, postX - unit, fenceY0, postX + unit, fenceY1)));
        blend(c, PALETTE.fence, coverage(Math.abs(py - (fenceY0 + 3 * unit)) - thin));
        blend(c, PALETTE.fence, coverage(Math.abs(py - (fenceY1 - 4 * unit)) - thin));
      }

      // Sign on a post, with text-like dashes (pixel-sharp on purpose: fine high-contrast detail).
      blend(c, PALETTE.signPost, coverage(boxDistance(px, py, (signX0 + signX1) / 2 - 1.5 * unit, signY1, (signX0 + signX1) / 2 + 1.5 * unit, signY1 + 0.08 * height)));
      const signD = boxDistance(px, py, signX0, signY0, signX1, signY1);
      if (signD < 1) {
        blend(c, PALETTE.signBoard, coverage(signD));
        for (const row of textRows) {
          if (py >= row.y && py < row.y + Math.max(1, unit)) {
            for (const [a, b] of row.dashes) if (px >= a && px < b) blend(c, PALETTE.ink, 1);
          }
        }
      }
      // A diagonal 1 px guy-wire from the first pole: a thin line at an awkward angle.
      blend(c, PALETTE.wire, coverage(segmentDistance(px, py, poleA, poleTop + 6 * unit, poleA + (houseOnRight ? -1 : 1) * 0.07 * width, poleBase) - thin));

      const o = (y * width + x) * 3;
      out[o] = c[0];
      out[o + 1] = c[1];
      out[o + 2] = c[2];
    }
  }
  return quantize8(image);
}

/** Signed distance to a triangle (negative inside; outside it is a lower bound, fine for anti-aliasing). */
function triangleDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  // Distance of (qx, qy) to the line through one edge, with an arbitrary but fixed sign per edge.
  const lineDistance = (qx: number, qy: number, x0: number, y0: number, x1: number, y1: number) =>
    ((qx - x0) * (y1 - y0) - (qy - y0) * (x1 - x0)) / Math.hypot(x1 - x0, y1 - y0);
  // Flip the sign so that the centroid, which is inside, is negative for every edge.
  const gx = (ax + bx + cx) / 3;
  const gy = (ay + by + cy) / 3;
  const edges: [number, number, number, number][] = [
    [ax, ay, bx, by],
    [bx, by, cx, cy],
    [cx, cy, ax, ay],
  ];
  let d = -Infinity;
  for (const [x0, y0, x1, y1] of edges) {
    const sign = lineDistance(gx, gy, x0, y0, x1, y1) > 0 ? -1 : 1;
    d = Math.max(d, sign * lineDistance(px, py, x0, y0, x1, y1));
  }
  return d;
}
