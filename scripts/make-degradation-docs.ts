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
import { drawBlobMask, drawStrokeMask } from '../src/core/degradations/inpainting.ts';
import { DEGRADATIONS, degrade } from '../src/core/degradations/registry.ts';
import { DEGRADATION_TABLE, type DegradationSpec, type ParamSpec } from '../src/core/degradations/table.ts';
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
      return `${spec.scale === 'log' ? 'log-uniform' : 'U'}(${spec.min}, ${spec.max})${unit(spec.unit)}`;
    case 'integer':
      return `integer ${spec.min}–${spec.max}${spec.scale === 'log' ? ', log-uniform' : ''}${unit(spec.unit)}`;
    case 'choice': {
      const weights = spec.weights;
      const total = weights?.reduce((a, b) => a + b, 0) ?? 1;
      return weights
        ? `one of ${spec.options.map((o, i) => `\`${o}\` (${Math.round((100 * weights[i]) / total)} %)`).join(', ')}`
        : `one of ${spec.options.map((o) => `\`${o}\``).join(', ')} (uniform)`;
    }
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
    const mask =
      params.family === 'strokes'
        ? drawStrokeMask(size, size, params.strokes, params.thickness, rng)
        : drawBlobMask(size, size, params.blobs, params.size, rng);
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
    const spec: DegradationSpec = DEGRADATION_TABLE[id];
    const { image, params } = degrade(scene, id, EXAMPLE_SEED);
    await writePng(image, resolve(imageDir, `${id}.png`));
    const examplePsnr = psnr(image, scene);
    const measured = measurePsnr(id);
    const band = spec.expectedPsnrDb;
    const exampleParams = params as Record<string, number | string>;
    const ranges = Object.entries(spec.params)
      .filter(([, p]) => p.kind !== 'fixed')
      .map(([name, p]) => `\`${name}\` ${formatRange(p)}`);
    const families = spec.families ? Object.keys(spec.families) : [];
    summary.push(
      `| \`${id}\` | ${spec.name} | ${[...(families.length ? [`families ${families.map((f) => `\`${f}\``).join(', ')}`] : []), ...ranges].join('; ') || 'all fixed'} | ${band.min}–${band.max} | ${fmt(examplePsnr)} |`,
    );

    const lines = [`## ${spec.name} (\`${id}\`)`, '', spec.description, ''];
    if (Object.keys(spec.params).length) lines.push(...(families.length ? ['Drawn for every family, first:', ''] : []), ...paramTable(spec.params, exampleParams));
    if (spec.families) {
      const total = families.reduce((sum, f) => sum + spec.families![f].weight, 0);
      for (const f of families) {
        const family = spec.families[f];
        lines.push('', `**Family \`${f}\`** (${Math.round((100 * family.weight) / total)} % of draws): ${family.about}.`);
        if (Object.keys(family.params).length) lines.push('', ...paramTable(family.params, exampleParams.family === f ? exampleParams : undefined));
        if (family.drawnInApply) lines.push('', 'Drawn inside `apply` from the same Rng:', '', ...paramTable(family.drawnInApply));
      }
    }
    if (spec.drawnInApply) lines.push('', 'Drawn inside `apply` from the same Rng:', '', ...paramTable(spec.drawnInApply));
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
    sections.push(lines.join('\n').replace(/\n{3,}/g, '\n\n'));
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
    '- **Families.** Each degradation but ringing and R-L is drawn from several *families*, the ways other tools and',
    '  cameras make the same damage (a libjpeg 4:2:0 save beside a 4:4:4 one, a camera shake beside a straight line, a',
    '  Lanczos resize beside a bilinear one). A draw takes the shared parameters, then a family by its weight, then that',
    '  family\'s own parameters; `params.family` names it. The router and the restorers train on the same draws, so',
    '  each class covers its whole family. What the families cover, and what they leave out, is measured on damage',
    '  made by other tools by `npm run study:foreign` (docs/RESULTS.md).',
    '- **Gaussian blur**: the paper\'s isotropic 15×15 kernel (σ ~ U(2, 4), not U(1, 4)) runs as two 1-D passes, which',
    '  equals the 2-D kernel; the anisotropic and generalized kernels are 21×21, as BasicSR\'s.',
    '- **JPEG**: real baseline codec in pure TypeScript, the same in the browser and Node: the encoder is a port of',
    '  jpeg-js\'s (`jpeg-encoder.ts`, byte-identical output at 4:4:4, tables built once, so a 48×48 crop takes ~0.1 ms',
    '  instead of jpeg-js\'s ~25 ms), with libjpeg\'s 4:2:0 chroma downsampling added (2×2 means with its alternating',
    '  rounding bias); decoding uses jpeg-js, which enlarges the chroma by repetition where libjpeg interpolates.',
    '  Standard libjpeg tables and quality scaling. `degradations.test.ts` checks the 4:2:0 output against',
    '  libjpeg-turbo\'s (sharp) at the same quality. libjpeg itself cannot run in the browser\'s workers synchronously,',
    '  so the table\'s JPEG stays one codec everywhere and the study measures what libjpeg\'s own saves do.',
    '- **SR**: the shrink factor is log-uniform in 1.3–4 (each doubling equally likely). The small side is',
    '  round(side / factor) clamped to [1, side − 1].',
    '- **Resize** (`resize.ts`, also for the SR descriptor): half-pixel centres (align_corners = false), edge taps clamped.',
    '  Bicubic is Keys with a = −0.5 (PIL / Matlab; OpenCV uses −0.75); Lanczos-3 is sinc(t)·sinc(t/3), normalised per',
    '  pixel. Without `antialias` (the descriptor\'s path) bilinear and bicubic do not widen their filter when shrinking',
    '  (like OpenCV and torch antialias = false); with it the support scales with the factor (PIL, ImageMagick, libvips).',
    '  Area is exact box integration (OpenCV INTER_AREA when shrinking); nearest is PIL\'s NEAREST. Bicubic and Lanczos',
    '  can overshoot [0, 1]; `resize` does not clip, the degradation\'s quantisation does.',
    '- **Padding** for all blur kernels (Gaussian, motion, defocus, ringing) is `reflect` in numpy\'s sense',
    '  (… c b | a b c …, the edge pixel not repeated), which is OpenCV\'s BORDER_REFLECT_101, the default of the',
    '  cv2.filter2D that BasicSR and Real-ESRGAN use. Filtering is correlation in cv2.filter2D orientation; the',
    '  one-sided trail and the shake kernels are not point-symmetric, so they also shift the image a little.',
    '- **R-L "ramp to 0" padding** is numpy\'s `np.pad(x, 7, mode="linear_ramp")` with end value 0: at distance',
    '  d = 1…7 outside the edge a pixel is edge·(1 − d/7), so the outermost padded pixel is 0. Rows are padded first,',
    '  then columns, so corners get the product of both ramps. Then one Richardson–Lucy iteration with a 5×5 box PSF',
    '  from a constant 0.5 start: x1 = 0.5·Kᵀ∗(y / K∗0.5) = K∗y away from the padded border, i.e. a 5×5 box mean',
    '  of the padded image, which is what the code computes (tested against a literal R-L step), then the crop.',
    '  Near the image border the ramp pulls values towards 0, so R-L also darkens a 2-px frame.',
    '- **Motion blur**: kernels are sampled every ¼ px (the shake trajectory in 400 steps) and splatted bilinearly',
    '  (anti-aliased). The shake follows Boracchi & Foi\'s trajectory model; its kernel is centred on the path\'s',
    '  centroid and at most 41×41.',
    '- **Defocus**: continuous radius ~ U(2, 8) px, each tap weighted by the share of its pixel inside the disk (8×8',
    '  supersampling), normalised.',
    '- **Ringing**: fixed ω_c = 1.2, the Real-ESRGAN `circular_lowpass_kernel` (Bessel J1 by the Numerical Recipes',
    '  approximation), 15×15 zero-padded to 21×21.',
    '- **Poisson**: Poisson(x·peak)/peak, sampled exactly by inverting the Poisson CDF; the paper\'s peak 100 is inside',
    '  the log-uniform range 30–300.',
    '- **Inpainting**: one colour per image; painting the binary mask white or black is the same as adding /',
    '  subtracting it and clipping. Stroke widths and blob radii are absolute pixels and segment lengths are relative',
    '  to the image, so small training crops get a larger covered share. Mask coverage over 200 seeds (both families):',
    '',
    '  | image | min | mean | max |',
    '  |---|---|---|---|',
    ...coverage.map((c) => `  | ${c.size}² | ${fmt(c.min * 100, 1)} % | ${fmt(c.mean * 100, 1)} % | ${fmt(c.max * 100, 1)} % |`),
    '',
    '- **Randomness**: one seeded sfc32 Rng (`src/core/random.ts`) draws the parameters in table order (the family',
    '  and its own after the shared ones), then whatever `apply` needs (noise, strokes, blobs, a shake\'s path), so `degrade(image, id, seed)` is reproducible byte for byte.',
    '',
    ...sections,
  ].join('\n');

  await writeFile(docPath, doc);
  console.log(`wrote ${docPath} and ${DEGRADATION_IDS.length + 1} images in ${imageDir}`);
}

await main();
