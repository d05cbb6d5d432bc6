/**
 * Writes the PWA icons under public/icons/ from one SVG drawn here: a 3×3 grid of tiles in three
 * shades (three groups of similar degradations). Run after changing the design, and commit the PNGs:
 *
 *   node --import ./bin/register.mjs src/app/pwa/generate-icons.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const THEME = '#0f766e';
const SHADES = ['#ffffff', '#99f6e4', '#2dd4bf'];
/** Which shade (group) each of the 9 tiles shows, row by row. */
const TILE_GROUP = [0, 0, 1, 0, 1, 1, 2, 2, 1];

/**
 * `inset`: fraction of the side left empty around the tile grid. Maskable icons keep their content
 * inside the central 80% safe zone and paint a full-bleed background (no rounded corners).
 */
export function iconSvg({ inset, rounded }: { inset: number; rounded: boolean }): string {
  const size = 512;
  const pad = size * inset;
  const gap = (size - 2 * pad) * 0.06;
  const tile = (size - 2 * pad - 2 * gap) / 3;
  const tiles = TILE_GROUP.map((group, i) => {
    const x = pad + (i % 3) * (tile + gap);
    const y = pad + Math.floor(i / 3) * (tile + gap);
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${tile.toFixed(1)}" height="${tile.toFixed(1)}" rx="${(tile * 0.18).toFixed(1)}" fill="${SHADES[group]}"/>`;
  }).join('');
  const radius = rounded ? size * 0.22 : 0;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}"><rect width="${size}" height="${size}" rx="${radius}" fill="${THEME}"/>${tiles}</svg>\n`;
}

async function main() {
  const out = fileURLToPath(new URL('../../../public/icons/', import.meta.url));
  await mkdir(out, { recursive: true });
  const regular = iconSvg({ inset: 0.2, rounded: true });
  const maskable = iconSvg({ inset: 0.27, rounded: false });
  await writeFile(`${out}icon.svg`, regular);
  const png = (svg: string, side: number, name: string) =>
    sharp(Buffer.from(svg)).resize(side, side).png({ compressionLevel: 9 }).toFile(`${out}${name}`);
  await png(regular, 192, 'icon-192.png');
  await png(regular, 512, 'icon-512.png');
  await png(maskable, 512, 'icon-maskable-512.png');
  // iOS ignores transparency and rounds corners itself: give it the full-bleed design.
  await png(iconSvg({ inset: 0.2, rounded: false }), 180, 'apple-touch-icon.png');
  process.stderr.write(`icons written to ${out}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
