/**
 * Generates docs/degradations.md and docs/degradations/<id>.png (plus clean.png) from the code:
 * parameter ranges come from DEGRADATION_TABLE, examples from the registry with a fixed seed on
 * public/samples/test-scene.png, and PSNR statistics are measured afresh on the synthetic scenes.
 *
 *   npm run docs:degradations      (= npx tsx scripts/make-degradation-docs.ts)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fromRgb8, toRgb8, type RgbImage } from '../src/core/image.ts';
import { createRng } from '../src/core/random.ts';
import { DEGRADATION_IDS, type DegradationId } from '../src/core/degradations/ids.ts';
import { drawStrokeMask } from '../src/core/degradations/inpainting.ts';
import { DEGRADATIONS, degrade } from '../src/core/degradations/registry.ts';
import { DEGRADATION_TABLE, type ParamSpec } from '../src/core/degradations/table.ts';
import { generateTestScene } from '../src/core/degradations/test-scenes.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scenePath = resolve(root, 'public/samples/test-scene.png');
const docPath = resolve(root, 'docs/degradations.md');
const imageDir = resolve(root, 'docs/degradations');

/** The seed of every example image (degrade(scene, id, EXAMPLE_SEED)). */
const EXAMPLE_SEED = 7;
/** PSNR statistics: synthetic scenes 1–3 at two sizes, as the bands in table.ts were set. */
const MEASUREMENTS = [
  { size: 128, seeds: 20 },
  { size: 256, seeds: 8 },
] as const;
const MEASURED_SCENE_SEEDS = [1, 2, 3];

function psnr(a: RgbImage, b: RgbImage): number {
  let squared = 0;
  for (let i = 0; i < a.data.length; i++) squared += (a.data[i] - b.data[i]) ** 2;
  return 10 * Math.log10(a.data.length / squared);
}

async function readPng(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return fromRgb8(data, info.width, info.height);
}

async function writePng(image: RgbImage, path: string): Promise<void> {
  await sharp(toRgb8(image), { raw: { width: image.width, height: image.height, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toFile(path);
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

function formatRange(spec: ParamSpec): string {
  const unit = (u: string) => (u ? ` ${u}` : '');
  switch (spec.kind) {
    case 'uniform':
      return `U(${spec.min}, ${spec.max})${unit(spec.unit)}`;
    case 'integer':
      return `integer ${spec.min}–${spec.max}${unit(spec.unit)}`;
    case 'choice':
      return `one of ${spec.options.map((o) => `\`${o}\``).join(', ')} (uniform)`;
    case 'fixed':
      return `fixed ${typeof spec.value === 'string' ? `\`${spec.value}\`` : spec.value}${unit(spec.unit)}`;
  }
}

function formatValue(value: number | string): string {
  return typeof value === 'number' ? String(Number.isInteger(value) ? value : Number(value.toFixed(4))) : `\`${value}\``;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface Measured {
  size: number;
  seeds: number;
  min: number;
  median: number;
  max: number;
}

function measurePsnr(id: DegradationId): Measured[] {
  return MEASUREMENTS.map(({ size, seeds }) => {
    const values: number[] = [];
    for (const sceneSeed of MEASURED_SCENE_SEEDS) {
      const scene = generateTestScene({ width: size, height: size, seed: sceneSeed });
      for (let seed = 0; seed < seeds; seed++) values.push(psnr(degrade(scene, id, seed).image, scene));
    }
    values.sort((a, b) => a - b);
    return { size, seeds, min: values[0], median: quantile(values, 0.5), max: values[values.length - 1] };
  });
}

function inpaintingCoverage(size: number, samples: number): { min: number; mean: number; max: number } {
  const coverages: number[] = [];
  for (let seed = 0; seed < samples; seed++) {
    const rng = createRng(seed);
    const params = DEGRADATIONS.inpainting.sampleParams(rng);
    const mask = drawStrokeMask(size, size, params.strokes, params.thickness, rng);
    coverages.push(mask.reduce((a, b) => a + b, 0) / mask.length);
  }
  return {
    min: Math.min(...coverages),
    mean: coverages.reduce((a, b) => a + b) / coverages.length,
    max: Math.max(...coverages),
  };
}

function paramTable(specs: { readonly [name: string]: ParamSpec }, example?: Record<string, number | string>): string[] {
  const lines = [
    `| parameter | range | meaning |${example ? ' example |' : ''}`,
    `|---|---|---|${example ? '---|' : ''}`,
  ];
  for (const [name, spec] of Object.entries(specs)) {
    lines.push(`| \`${name}\` | ${formatRange(spec)} | ${spec.about} |${example ? ` ${formatValue(example[name])} |` : ''}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const scene = await readPng(scenePath);
  await mkdir(imageDir, { recursive: true });
  await writePng(scene, resolve(imageDir, 'clean.png'));

  const sections: string[] = [];
  const summary: string[] = [
    '| id | name | parameters | documented PSNR band (dB) | example PSNR (dB) |',
    '|---|---|---|---|---|',
  ];
  for (const id of DEGRADATION_IDS) {
    const spec = DEGRADATION_TABLE[id];
    const { image, params } = degrade(scene, id, EXAMPLE_SEED);
    await writePng(image, resolve(imageDir, `${id}.png`));
    const examplePsnr = psnr(image, scene);
    const measured = measurePsnr(id);
    const band = spec.expectedPsnrDb;
    const exampleParams = params as Record<string, number | string>;
    const ranges = Object.entries(spec.params as { readonly [name: string]: ParamSpec })
      .filter(([, p]) => p.kind !== 'fixed')
      .map(([name, p]) => `\`${name}\` ${formatRange(p)}`);
    summary.push(
      `| \`${id}\` | ${spec.name} | ${ranges.length ? ranges.join('; ') : 'all fixed'} | ${band.min}–${band.max} | ${fmt(examplePsnr)} |`,
    );

    const lines = [`## ${spec.name} (\`${id}\`)`, '', spec.description, '', ...paramTable(spec.params, exampleParams)];
    const drawn: { readonly [name: string]: ParamSpec } | undefined = 'drawnInApply' in spec ? spec.drawnInApply : undefined;
    if (drawn) lines.push('', 'Drawn inside `apply` from the same Rng, per stroke:', '', ...paramTable(drawn));
    lines.push(
      '',
      `Example: \`degrade(testScene, '${id}', ${EXAMPLE_SEED})\` → params \`${JSON.stringify(params)}\`, PSNR **${fmt(examplePsnr)} dB**.`,
      '',
      `Documented PSNR band (enforced by \`psnr-bands.test.ts\`): **${band.min}–${band.max} dB**. Measured now:`,
      '',
      '| scenes | degradation seeds | min | median | max |',
      '|---|---|---|---|---|',
      ...measured.map(
        (m) => `| 3 × ${m.size}² | ${m.seeds} per scene | ${fmt(m.min)} | ${fmt(m.median)} | ${fmt(m.max)} |`,
      ),
      '',
      `| clean | ${spec.name} |`,
      '|---|---|',
      `| ![clean](degradations/clean.png) | ![${spec.name}](degradations/${id}.png) |`,
      '',
    );
    sections.push(lines.join('\n'));
    console.log(`${id}: example ${fmt(examplePsnr)} dB`);
  }

  const coverage = [48, 96, 256].map((size) => ({ size, ...inpaintingCoverage(size, 200) }));

  const doc = [
    '# Degradations',
    '',
    '<!-- Generated by `npm run docs:degradations` (scripts/make-degradation-docs.ts). Do not edit by hand:',
    '     ranges come from src/core/degradations/table.ts, images and numbers from running the code. -->',
    '',
    'The 11 degradations of the paper, implemented in `src/core/degradations/` as pure functions in the BasicSR style:',
    'one parameter table (`DEGRADATION_TABLE` in `table.ts`), one registry (`registry.ts`) in which each degradation has',
    'a stable `id`, a human `name`, `sampleParams(rng)` and a pure `apply(image, params, rng)`, and',
    '`degrade(image, id, seed)` to do both from one seeded Rng. Parameters are plain JSON objects.',
    '',
    `Examples below use the shipped test scene (\`public/samples/test-scene.png\`, 256×256, procedural) and seed ${EXAMPLE_SEED}.`,
    'PSNR is against the clean image. The measured statistics use the synthetic scenes of `test-scenes.ts`',
    `(scene seeds ${MEASURED_SCENE_SEEDS.join(', ')}) and degradation seeds 0…n−1.`,
    '',
    '## Summary',
    '',
    ...summary,
    '',
    '## Conventions and choices',
    '',
    'Following the method notes §3 (PromptGIP / DepictQA / BasicSR conventions). Where the notes allow alternatives:',
    '',
    '- **Images** are float32 RGB in [0, 1]. **Every degradation ends with 8-bit quantisation**: round(x·255)/255 with',
    '  clipping to [0, 1] (`quantize8`); this is also the "then clip" of the noise degradations.',
    '- **Gaussian blur**: σ ~ U(2, 4) (not U(1, 4)), isotropic, 15×15. It runs as two 1-D passes, which equals the 2-D kernel.',
    '- **JPEG**: quality 10–40 (not 20–95). Real baseline codec in pure TypeScript, the same in the browser and Node:',
    '  the encoder is a port of jpeg-js\'s (`jpeg-encoder.ts`, byte-identical output, tables built once, so a 48×48',
    '  crop takes ~0.1 ms instead of jpeg-js\'s ~25 ms) and decoding uses jpeg-js. Standard libjpeg quality scaling and',
    '  4:4:4 chroma (no subsampling; PIL and OpenCV default to 4:2:0, so our JPEG bleeds colour a little less).',
    '- **SR**: s ~ U(0.25, 1) (not U(0.2, 1)). The downscale filter is drawn from bilinear / bicubic / area; the upscale',
    '  back is always bicubic (the input convention of same-resolution SR models such as VDSR). The small side is',
    '  round(side·s) clamped to [1, side − 1], so s close to 1 still loses something.',
    '- **Resize** (`resize.ts`, also for the SR descriptor): half-pixel centres (align_corners = false), edge taps clamped.',
    '  Bicubic is Keys with a = −0.5 (PIL / Matlab; OpenCV uses −0.75); bilinear and bicubic do **not** anti-alias',
    '  when shrinking (like OpenCV and torch antialias = false). Area is exact box integration (OpenCV INTER_AREA when',
    '  shrinking). Bicubic can overshoot [0, 1]; `resize` does not clip, the degradation\'s quantisation does.',
    '- **Padding** for all blur kernels (Gaussian, motion, defocus, ringing) is `reflect` in numpy\'s sense',
    '  (… c b | a b c …, the edge pixel not repeated), which is OpenCV\'s BORDER_REFLECT_101, the default of the',
    '  cv2.filter2D that BasicSR and Real-ESRGAN use. Filtering is correlation in cv2.filter2D orientation; every',
    '  kernel here is point-symmetric, so it equals convolution.',
    '- **R-L "ramp to 0" padding** is numpy\'s `np.pad(x, 7, mode="linear_ramp")` with end value 0: at distance',
    '  d = 1…7 outside the edge a pixel is edge·(1 − d/7), so the outermost padded pixel is 0. Rows are padded first,',
    '  then columns, so corners get the product of both ramps. Then one Richardson–Lucy iteration with a 5×5 box PSF',
    '  from a constant 0.5 start: x1 = 0.5·Kᵀ∗(y / K∗0.5) = K∗y away from the padded border, i.e. a 5×5 box mean',
    '  of the padded image, which is what the code computes (tested against a literal R-L step), then the crop.',
    '  Near the image border the ramp pulls values towards 0, so R-L also darkens a 2-px frame.',
    '- **Motion blur**: integer radius 5–20 (kernel 11×11 to 41×41), the line sampled every ¼ px and splatted',
    '  bilinearly (anti-aliased), Gaussian weights along it with σ ~ U(3, 12), angle ~ U(−90°, 90°) counter-clockwise.',
    '- **Defocus**: continuous radius ~ U(2, 8) px, each tap weighted by the share of its pixel inside the disk (8×8',
    '  supersampling), normalised.',
    '- **Ringing**: fixed ω_c = 1.2, the Real-ESRGAN `circular_lowpass_kernel` (Bessel J1 by the Numerical Recipes',
    '  approximation), 15×15 zero-padded to 21×21.',
    '- **Poisson**: Poisson(x·100)/100 per pixel and channel, sampled exactly by inverting the Poisson CDF.',
    '- **Inpainting**: 5–10 polylines, one width 5–10 px and one colour per image; painting the binary mask white or',
    '  black is the same as adding / subtracting it and clipping. Stroke widths are absolute pixels and segment',
    '  lengths are relative to the image, so small training crops get a larger covered share. Mask coverage over',
    '  200 seeds:',
    '',
    '  | image | min | mean | max |',
    '  |---|---|---|---|',
    ...coverage.map((c) => `  | ${c.size}² | ${fmt(c.min * 100, 1)} % | ${fmt(c.mean * 100, 1)} % | ${fmt(c.max * 100, 1)} % |`),
    '',
    '- **Gaussian noise**: σ ~ U(10, 50) in 8-bit levels, independent per pixel and channel.',
    '- **Salt & pepper**: per pixel location (all channels at once), probability 0.05, white or black 50/50.',
    '- **Randomness**: one seeded sfc32 Rng (`src/core/random.ts`) draws the parameters in table order, then whatever',
    '  `apply` needs (noise, strokes, salt & pepper), so `degrade(image, id, seed)` is reproducible byte for byte.',
    '',
    ...sections,
  ].join('\n');

  await writeFile(docPath, doc);
  console.log(`wrote ${docPath} and ${DEGRADATION_IDS.length + 1} images in ${imageDir}`);
}

await main();
