/**
 * The kinds of damage of `npm run study:foreign` (scripts/foreign-study.ts), each made by a tool
 * outside the project's code, and the tools themselves: which Debian package has each, how to find
 * it and its version. A kind's command is a shell template: {in} {out} (PNGs), {tmp} (a file stem
 * for intermediate files), {w} {h} (the image's size), {seed}, the tools ({magick}, {py}) and the
 * parameters drawn for the photo, in braces.
 */
import { spawnSync } from 'node:child_process';
import type { ForeignKind } from '../src/cli/report/foreign-md';
import type { Rng } from '../src/core/random';

export type ToolId = 'magick' | 'cjpeg' | 'djpeg' | 'cwebp' | 'dwebp' | 'pngtopnm' | 'pnmtopng' | 'ffmpeg' | 'py';
type Params = Record<string, number | string>;

export interface KindSpec extends ForeignKind {
  needs: ToolId[];
  /** The photo's parameters (one draw per photo, shared by its crop and its whole photo). */
  draw: (rng: Rng) => Params;
  /** Values the command needs that depend on the image's size. */
  sized?: (p: Params, w: number, h: number) => Params;
}

const TOOLS: Record<ToolId, { package: string; candidates: string[]; args: string[]; shows: RegExp }> = {
  magick: { package: 'imagemagick', candidates: ['magick', 'convert'], args: ['-version'], shows: /ImageMagick/ },
  cjpeg: { package: 'libjpeg-turbo-progs', candidates: ['cjpeg'], args: ['-version'], shows: /libjpeg/ },
  djpeg: { package: 'libjpeg-turbo-progs', candidates: ['djpeg'], args: ['-version'], shows: /libjpeg/ },
  cwebp: { package: 'webp', candidates: ['cwebp'], args: ['-version'], shows: /\d+\.\d+/ },
  dwebp: { package: 'webp', candidates: ['dwebp'], args: ['-version'], shows: /\d+\.\d+/ },
  pngtopnm: { package: 'netpbm', candidates: ['pngtopnm'], args: ['-version'], shows: /Netpbm/ },
  pnmtopng: { package: 'netpbm', candidates: ['pnmtopng'], args: ['-version'], shows: /Netpbm/ },
  ffmpeg: { package: 'ffmpeg', candidates: ['ffmpeg'], args: ['-version'], shows: /ffmpeg version/ },
  // Debian's Pillow and numpy belong to /usr/bin/python3, which another python3 on the PATH may hide.
  py: { package: 'python3-pil python3-numpy', candidates: ['/usr/bin/python3', 'python3'], args: ['-c', 'import PIL, numpy; print("Pillow", PIL.__version__, "numpy", numpy.__version__)'], shows: /Pillow/ },
};

export interface FoundTool {
  bin: string;
  package: string;
  /** The tool's own version line. */
  version: string;
  /** The Debian packages' versions (null off Debian). */
  debian: string | null;
}

/** A version line without its label, copyright or web address. */
const versionLine = (line: string) => line.replace(/^(Version: |\S+: Using libnetpbm from Netpbm Version: )/, '').replace(/ (Copyright|https?:).*$/, '');

function packageVersion(pkg: string): string | null {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? `${pkg} ${r.stdout}` : null;
}

/** Finds every tool the kinds need; the missing ones come back as the apt packages that hold them. */
export function findTools(ids: readonly ToolId[]): { found: Partial<Record<ToolId, FoundTool>>; missing: { tool: ToolId; package: string }[] } {
  const found: Partial<Record<ToolId, FoundTool>> = {};
  const missing: { tool: ToolId; package: string }[] = [];
  for (const id of new Set(ids)) {
    const t = TOOLS[id];
    const hit = t.candidates.map((bin) => ({ bin, r: spawnSync(bin, t.args, { encoding: 'utf8' }) }))
      .find(({ r }) => r.status === 0 && t.shows.test(`${r.stdout}${r.stderr}`));
    if (!hit) { missing.push({ tool: id, package: t.package }); continue; }
    const line = `${hit.r.stdout}\n${hit.r.stderr}`.split('\n').map((l) => l.trim()).find((l) => t.shows.test(l))!;
    const debs = t.package.split(' ').map(packageVersion).filter(Boolean);
    found[id] = { bin: hit.bin, package: t.package, version: versionLine(line), debian: debs.length ? debs.join(', ') : null };
  }
  return { found, missing };
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const between = (rng: Rng, lo: number, hi: number) => r2(rng.uniform(lo, hi));
/** A resize by 1/factor, as a percentage ImageMagick takes. */
const percent = (p: Params) => ({ percent: r2(100 / Number(p.factor)) });

export const KINDS: KindSpec[] = [
  {
    id: 'jpeg_q15_cjpeg', tool: 'libjpeg-turbo cjpeg/djpeg', imitates: 'jpeg', needs: ['pngtopnm', 'cjpeg', 'djpeg', 'pnmtopng'],
    command: 'pngtopnm {in} | cjpeg -baseline -quality 15 -sample 2x2 | djpeg -pnm | pnmtopng > {out}',
    params: 'quality 15, 4:2:0 chroma, baseline (8-bit) tables', why: 'libjpeg itself, the codec most JPEGs come from.', draw: () => ({}),
  },
  {
    id: 'jpeg_q30_magick', tool: 'ImageMagick (libjpeg)', imitates: 'jpeg', needs: ['magick'],
    command: '{magick} {in} -sampling-factor 4:2:0 -quality 30 {tmp}.jpg && {magick} {tmp}.jpg PNG24:{out}',
    params: 'quality 30, 4:2:0 chroma', why: 'JPEG as an image editor saves it.', draw: () => ({}),
  },
  {
    id: 'jpeg_mjpeg_ffmpeg', tool: 'ffmpeg mjpeg encoder', imitates: 'jpeg', needs: ['ffmpeg'],
    command: 'ffmpeg -loglevel error -y -i {in} -c:v mjpeg -q:v {q} -pix_fmt yuvj420p {tmp}.jpg && ffmpeg -loglevel error -y -i {tmp}.jpg -pix_fmt rgb24 {out}',
    params: 'q:v 12–31 (ffmpeg\'s own quantiser scale), 4:2:0', why: 'A JPEG encoder that is not libjpeg (libavcodec\'s), as video tools write stills.',
    draw: (rng) => ({ q: rng.int(12, 31) }),
  },
  {
    id: 'webp_q5', tool: 'libwebp cwebp/dwebp', imitates: 'jpeg', needs: ['cwebp', 'dwebp'],
    command: 'cwebp -quiet -q 5 {in} -o {tmp}.webp && dwebp -quiet {tmp}.webp -o {out}',
    params: 'quality 5',
    why: 'Labelled JPEG: lossy block-transform compression, for which the JPEG group is the only one of the 11 a user would want; but WebP\'s 4×4 transforms, intra prediction and in-loop deblocking leave smoother, less blocky damage than JPEG\'s 8×8 grid, so its routing tests how far "JPEG" stretches.',
    draw: () => ({}),
  },
  {
    id: 'gaussian_blur_magick', tool: 'ImageMagick', imitates: 'gaussian_blur', needs: ['magick'],
    command: '{magick} {in} -gaussian-blur 0x{sigma} PNG24:{out}', params: 'σ 2–4 px (ImageMagick sizes the kernel itself)', why: 'An editor\'s Gaussian blur.',
    draw: (rng) => ({ sigma: between(rng, 2, 4) }),
  },
  {
    id: 'motion_blur_magick', tool: 'ImageMagick', imitates: 'motion_blur', needs: ['magick'],
    command: '{magick} {in} -motion-blur 0x{sigma}+{angle} PNG24:{out}', params: 'σ 3–8 px, angle 0–359°', why: 'A one-sided trail (ImageMagick blurs towards one side), where the project\'s kernel is centred.',
    draw: (rng) => ({ sigma: between(rng, 3, 8), angle: rng.int(0, 359) }),
  },
  {
    id: 'defocus_disk_magick', tool: 'ImageMagick', imitates: 'defocus_blur', needs: ['magick'],
    command: '{magick} {in} -define convolve:scale=\'!\' -morphology Convolve Disk:{r} PNG24:{out}', params: 'disk radius 3–7 px, normalised', why: 'A flat disk kernel, the textbook defocus.',
    draw: (rng) => ({ r: r2(rng.uniform(3, 7)) }),
  },
  {
    id: 'sr_magick', tool: 'ImageMagick', imitates: 'sr', needs: ['magick'],
    command: '{magick} {in} -resize {percent}% -resize {w}x{h}! PNG24:{out}', params: 'down by 2–4× and back to the original size with ImageMagick\'s default filters (Lanczos down, Mitchell up)',
    why: 'An enlarged small image, resized the way an editor does.', draw: (rng) => ({ factor: between(rng, 2, 4) }), sized: percent,
  },
  {
    id: 'sr_pillow', tool: 'Pillow', imitates: 'sr', needs: ['py'],
    command: '{py} -c \'from PIL import Image; im = Image.open("{in}").convert("RGB"); w, h = im.size; f = Image.Resampling.{filter}; im.resize((round(w / {factor}), round(h / {factor})), f).resize((w, h), f).save("{out}")\'',
    params: 'down by 2–4× and back, Pillow\'s BICUBIC or LANCZOS (antialiased) both ways', why: 'An enlarged small image, resized the way Python tools do.',
    draw: (rng) => ({ factor: between(rng, 2, 4), filter: rng.pick(['BICUBIC', 'LANCZOS']) }),
  },
  {
    id: 'salt_pepper_magick', tool: 'ImageMagick', imitates: 'salt_pepper', needs: ['magick'],
    command: '{magick} {in} -seed {seed} -attenuate {amount} +noise Impulse PNG24:{out}', params: 'attenuate 0.1–0.3 (impulses drawn per channel)',
    why: 'Impulse noise, per channel where the project\'s hits whole pixels.', draw: (rng) => ({ amount: between(rng, 0.1, 0.3) }),
  },
  {
    id: 'gaussian_noise_numpy', tool: 'numpy + Pillow', imitates: 'gaussian_noise', needs: ['py'],
    command: '{py} -c \'import numpy as np; from PIL import Image; x = np.asarray(Image.open("{in}").convert("RGB"), dtype=np.float64); n = np.random.default_rng({seed}).normal(0, {sigma}, x.shape); Image.fromarray(np.clip(np.rint(x + n), 0, 255).astype(np.uint8)).save("{out}")\'',
    params: 'σ 10–30 levels of 255, per channel', why: 'White Gaussian noise from another generator (numpy\'s PCG64).', draw: (rng) => ({ sigma: between(rng, 10, 30) }),
  },
  {
    id: 'poisson_magick', tool: 'ImageMagick', imitates: 'poisson_noise', needs: ['magick'],
    command: '{magick} {in} -seed {seed} -attenuate {attenuate} +noise Poisson PNG24:{out}', params: 'attenuate 4–12 (the photon count grows with it: less noise)',
    why: 'Shot noise from another generator.', draw: (rng) => ({ attenuate: between(rng, 4, 12) }),
  },
  {
    id: 'strokes_magick', tool: 'ImageMagick', imitates: 'inpainting', needs: ['magick'],
    command: '{magick} {in} -fill none -stroke {colour} -strokewidth {width} {strokes} PNG24:{out}', params: '2–4 antialiased polylines of 3 points, 3–7 px wide, white or black',
    why: 'Scribbles drawn over the photo, with antialiased edges.',
    draw: (rng) => ({ colour: rng.pick(['white', 'black']), width: rng.int(3, 7), points: Array.from({ length: 3 * rng.int(2, 4) }, () => `${r2(rng.next())},${r2(rng.next())}`).join(' ') }),
    sized: (p, w, h) => {
      const xy = String(p.points).split(' ').map((s) => s.split(',').map(Number)).map(([x, y]) => `${Math.round(x * (w - 1))},${Math.round(y * (h - 1))}`);
      const lines = Array.from({ length: xy.length / 3 }, (_, i) => `-draw "polyline ${xy.slice(3 * i, 3 * i + 3).join(' ')}"`);
      return { strokes: lines.join(' ') };
    },
  },
  {
    id: 'phone_history_magick', tool: 'ImageMagick', imitates: null, needs: ['magick'],
    command: '{magick} {in} -resize {percent}% -unsharp 0x1+1+0 -sampling-factor 4:2:0 -quality 70 {tmp}.jpg && {magick} {tmp}.jpg -resize {w}x{h}! PNG24:{out}',
    params: 'down by 1.5–2.5×, unsharp mask (σ 1, amount 1), JPEG q70, up to the original size',
    why: 'None: a phone-like history of several steps (small sensor, sharpening, compression, enlargement); no one class covers it.',
    draw: (rng) => ({ factor: between(rng, 1.5, 2.5) }), sized: percent,
  },
  {
    id: 'video_frame_x264', tool: 'ffmpeg libx264', imitates: null, needs: ['ffmpeg'],
    command: 'ffmpeg -loglevel error -y -i {in} -frames:v 1 -vf "pad=ceil(iw/2)*2:ceil(ih/2)*2" -c:v libx264 -preset medium -crf {crf} -pix_fmt yuv420p {tmp}.mp4 && ffmpeg -loglevel error -y -i {tmp}.mp4 -frames:v 1 -vf "crop={w}:{h}:0:0" -pix_fmt rgb24 {out}',
    params: 'CRF 36–46, 4:2:0', why: 'None: a still from an H.264 video, deblocked blocks of several sizes, nearer blur than JPEG\'s grid; no class is claimed.',
    draw: (rng) => ({ crf: rng.int(36, 46) }),
  },
];

/** The undamaged controls: the photo as it is, and saved as JPEG q90 by libjpeg. */
export const CONTROLS = [
  { id: 'clean', tool: '–', command: 'cp {in} {out}', ext: 'png', needs: [] as ToolId[] },
  { id: 'jpeg_q90_cjpeg', tool: 'libjpeg-turbo cjpeg', command: 'pngtopnm {in} | cjpeg -quality 90 > {out}', ext: 'jpg', needs: ['pngtopnm', 'cjpeg'] as ToolId[] },
];

/** A template with its values put in (paths must be plain: they go into shell and Python strings unquoted). */
export function expand(template: string, values: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`no value for ${whole} in "${template}"`);
    const v = String(values[name]);
    if (/^(in|out|tmp)$/.test(name) && !/^[\w./+-]+$/.test(v)) throw new Error(`the path ${v} has characters the commands cannot take`);
    return v;
  });
}
