import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { createImage, toRgb8, type RgbImage } from '../../core/image';
import { isProcessAlive } from './process';

/** Image I/O for the CLI, through sharp: PNG, JPEG and WebP in (EXIF orientation applied); PNG out. */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

/** Reads a file (by its path) or the bytes already read from one. */
export async function readImage(source: string | Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(source).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
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

const TEMP_NAME = /^(.+)\.tmp-(\d+)-\d+$/;

/**
 * Removes the temp files that killed runs' atomicWrite left in `dir` (those of processes that are
 * gone), optionally only those of `target`'s name. A live process's temp file is left alone.
 */
export async function removeStaleTemps(dir: string, target?: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match || (target !== undefined && match[1] !== basename(target)) || isProcessAlive(Number(match[2]))) continue;
    await rm(join(dir, name), { force: true });
  }
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`the folder ${dir} does not exist`);
    if (code === 'ENOTDIR') throw new Error(`${dir} is a file, not a folder of images`);
    throw new Error(`cannot read the image folder ${dir}: ${code ?? String(error)}`);
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
