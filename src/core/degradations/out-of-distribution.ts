import { createImage, quantize8, type RgbImage } from '../image';
import { createRng } from '../random';

/**
 * Degradations deliberately NOT among the 11 the models are trained on. They calibrate and test
 * the out-of-distribution threshold (the paper's example is haze, at distance > 4). Pure
 * functions of (image, seed), like the 11, with their ranges in one table.
 */
export const OOD_DEGRADATION_TABLE = {
  haze: {
    name: 'Haze',
    description: 'Atmospheric scattering I = J·t + A·(1 − t); transmission falls towards the top of the frame (farther away).',
    params: { transmissionNear: [0.55, 0.8], transmissionFar: [0.2, 0.45], airlight: [0.75, 0.95] },
  },
  colour_cast: {
    name: 'Colour cast',
    description: 'Per-channel gains and offsets (a white-balance error): one channel boosted, another cut.',
    params: { boost: [1.15, 1.4], cut: [0.6, 0.85], offset: [0.02, 0.08] },
  },
  low_light: {
    name: 'Low light',
    description: 'Under-exposure: x ↦ gain · x^γ.',
    params: { gain: [0.25, 0.5], gamma: [1.4, 2.2] },
  },
  overexposure: {
    name: 'Over-exposure',
    description: 'Too much light: x ↦ min(1, gain · x^γ), highlights clipped.',
    params: { gain: [1.6, 2.4], gamma: [0.6, 0.9] },
  },
  vignette: {
    name: 'Vignetting',
    description: 'Corners darkened by a lens: x ↦ x · (1 − strength · (r / r_corner)^power), r from the frame centre.',
    params: { strength: [0.5, 0.8], power: [1.5, 3] },
  },
  posterize: {
    name: 'Posterisation',
    description: 'Too few tones: each channel rounded to `levels` evenly spaced values.',
    params: { levels: [4, 8] },
  },
  fade: {
    name: 'Faded print',
    description: 'An old print losing its contrast towards a yellowed paper tone: x ↦ paper + contrast · (x − paper), the paper\'s blue cut by `yellowing`.',
    params: { contrast: [0.35, 0.6], paper: [0.7, 0.9], yellowing: [0, 0.15] },
  },
  light_leak: {
    name: 'Light leak',
    description: 'Stray light on the film: a warm glow added from one edge of the frame, falling off as exp(−distance / (falloff · side)).',
    params: { strength: [0.3, 0.7], falloff: [0.2, 0.5], green: [0.5, 0.8], blue: [0.2, 0.4] },
  },
} as const;

export type OodDegradationId = keyof typeof OOD_DEGRADATION_TABLE;
export const OOD_DEGRADATION_IDS = Object.keys(OOD_DEGRADATION_TABLE) as OodDegradationId[];

export const isOodDegradation = (id: string): id is OodDegradationId => (OOD_DEGRADATION_IDS as readonly string[]).includes(id);

export function applyOodDegradation(image: RgbImage, id: OodDegradationId, seed: number): { image: RgbImage; params: Record<string, number> } {
  const rng = createRng(seed);
  const draw = (range: readonly [number, number]) => rng.uniform(range[0], range[1]);
  const { width, height, data } = image;
  const out = createImage(width, height);
  const o = out.data;
  if (id === 'haze') {
    const p = OOD_DEGRADATION_TABLE.haze.params;
    const near = draw(p.transmissionNear), far = draw(p.transmissionFar), airlight = draw(p.airlight);
    for (let y = 0; y < height; y++) {
      const t = far + (near - far) * (height > 1 ? y / (height - 1) : 1);
      for (let i = y * width * 3; i < (y + 1) * width * 3; i++) o[i] = data[i] * t + airlight * (1 - t);
    }
    return { image: quantize8(out), params: { transmissionNear: near, transmissionFar: far, airlight } };
  }
  if (id === 'colour_cast') {
    const p = OOD_DEGRADATION_TABLE.colour_cast.params;
    const boosted = rng.int(0, 2);
    const cutChannel = (boosted + rng.int(1, 2)) % 3;
    const gains = [1, 1, 1];
    gains[boosted] = draw(p.boost);
    gains[cutChannel] = draw(p.cut);
    const offset = draw(p.offset);
    for (let i = 0; i < data.length; i++) o[i] = data[i] * gains[i % 3] + (i % 3 === boosted ? offset : 0);
    return { image: quantize8(out), params: { boostedChannel: boosted, cutChannel, gainR: gains[0], gainG: gains[1], gainB: gains[2], offset } };
  }
  if (id === 'overexposure') {
    const p = OOD_DEGRADATION_TABLE.overexposure.params;
    const gain = draw(p.gain), gamma = draw(p.gamma);
    for (let i = 0; i < data.length; i++) o[i] = Math.min(1, gain * Math.pow(data[i], gamma));
    return { image: quantize8(out), params: { gain, gamma } };
  }
  if (id === 'vignette') {
    const p = OOD_DEGRADATION_TABLE.vignette.params;
    const strength = draw(p.strength), power = draw(p.power);
    const cx = (width - 1) / 2, cy = (height - 1) / 2, corner = Math.hypot(cx, cy) || 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const fall = 1 - strength * Math.pow(Math.hypot(x - cx, y - cy) / corner, power);
        for (let c = 0; c < 3; c++) o[(y * width + x) * 3 + c] = data[(y * width + x) * 3 + c] * fall;
      }
    }
    return { image: quantize8(out), params: { strength, power } };
  }
  if (id === 'posterize') {
    const levels = rng.int(...OOD_DEGRADATION_TABLE.posterize.params.levels);
    for (let i = 0; i < data.length; i++) o[i] = Math.round(data[i] * (levels - 1)) / (levels - 1);
    return { image: quantize8(out), params: { levels } };
  }
  if (id === 'fade') {
    const p = OOD_DEGRADATION_TABLE.fade.params;
    const contrast = draw(p.contrast), paper = draw(p.paper), yellowing = draw(p.yellowing);
    const tone = [paper, paper, paper * (1 - yellowing)];
    for (let i = 0; i < data.length; i++) o[i] = tone[i % 3] + contrast * (data[i] - tone[i % 3]);
    return { image: quantize8(out), params: { contrast, paper, yellowing } };
  }
  if (id === 'light_leak') {
    const p = OOD_DEGRADATION_TABLE.light_leak.params;
    const edge = rng.int(0, 3); // 0 left, 1 right, 2 top, 3 bottom
    const strength = draw(p.strength), falloff = draw(p.falloff);
    const glow = [1, draw(p.green), draw(p.blue)];
    const side = edge < 2 ? width : height;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const distance = [x, width - 1 - x, y, height - 1 - y][edge];
        const amount = strength * Math.exp(-distance / (falloff * side));
        for (let c = 0; c < 3; c++) o[(y * width + x) * 3 + c] = Math.min(1, data[(y * width + x) * 3 + c] + amount * glow[c]);
      }
    }
    return { image: quantize8(out), params: { edge, strength, falloff, green: glow[1], blue: glow[2] } };
  }
  const p = OOD_DEGRADATION_TABLE.low_light.params;
  const gain = draw(p.gain), gamma = draw(p.gamma);
  for (let i = 0; i < data.length; i++) o[i] = gain * Math.pow(data[i], gamma);
  return { image: quantize8(out), params: { gain, gamma } };
}
