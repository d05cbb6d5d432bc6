import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { createImage, toRgb8, type RgbImage } from '../../core/image';

/** Image I/O for the CLI, through sharp: PNG, JPEG and WebP in (EXIF orientation applied); PNG out. */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export async function readImage(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
  const values = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = data[i] / 255;
  return createImage(info.width, info.height, values);
}

/** Writes an 8-bit PNG atomically (temp file + rename), so a killed run never leaves half a file. */
export async function writePng(path: string, image: RgbImage): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const png = await sharp(Buffer.from(toRgb8(image).buffer), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
  await atomicWrite(path, png);
}

export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

export interface LoadedImage {
  path: string;
  name: string;
  image: RgbImage;
}

/** The names of a folder's PNG, JPEG and WebP files, sorted (so runs, and indices into the list, are reproducible). */
export async function imageFileNames(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new Error(`cannot read the image folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return names.filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort();
}

/**
 * Reads every image in a folder (sorted by name, so runs are reproducible). Unreadable files are
 * skipped with one line each on `warn`; a folder with no usable image is an error.
 */
export async function readImageFolder(
  dir: string,
  options: { warn?: (line: string) => void; minSize?: number; limit?: number } = {},
): Promise<LoadedImage[]> {
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const loaded: LoadedImage[] = [];
  for (const name of await imageFileNames(dir)) {
    if (options.limit !== undefined && loaded.length >= options.limit) break;
    const path = join(dir, name);
    try {
      const image = await readImage(path);
      if (options.minSize && (image.width < options.minSize || image.height < options.minSize)) {
        warn(`skipping ${path}: ${image.width}×${image.height} is smaller than the ${options.minSize}px needed`);
        continue;
      }
      loaded.push({ path, name, image });
    } catch (error) {
      warn(`skipping ${path}: not a readable image (${String((error as Error).message ?? error).split('\n')[0]})`);
    }
  }
  if (loaded.length === 0) throw new Error(`no usable image in ${dir} (PNG, JPEG or WebP${options.minSize ? `, at least ${options.minSize}px` : ''})`);
  return loaded;
}
