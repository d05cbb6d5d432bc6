import { createImage, cropImage, type RgbImage } from './image';
import { createBlender, planTiles } from './tiling';

/**
 * Runs an image-to-image model over a large image tile by tile and blends the tiles with feathered
 * overlaps. The model call is injected (onnxruntime-web in the browser worker, onnxruntime-node in
 * the CLI), so both run exactly this tiling.
 */
export type TileRunner = (tile: RgbImage) => Promise<RgbImage>;

export interface TiledOptions {
  /** Tile side in input pixels. */
  tile: number;
  /** Overlap between neighbouring tiles in input pixels (blended with feathered weights). */
  overlap: number;
  /** Output size / input size (1 for restorers). */
  scale?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: { readonly aborted: boolean; readonly reason?: unknown };
}

export class TiledInferenceAborted extends Error {
  constructor(done: number, total: number) {
    super(`cancelled after ${done} of ${total} tiles`);
    this.name = 'AbortError';
  }
}

/**
 * Where the tiles are cut from: the float image itself, or any other holder of the same pixels (the
 * browser worker cuts them from the 8-bit RGBA it was sent, so a 24 MP photo never also sits in
 * memory as 288 MB of float).
 */
export interface TileSource {
  readonly width: number;
  readonly height: number;
  crop(x: number, y: number, w: number, h: number): RgbImage;
}

function imageTileSource(image: RgbImage): TileSource {
  return { width: image.width, height: image.height, crop: (x, y, w, h) => cropImage(image, x, y, w, h) };
}

export async function runTiled(input: RgbImage | TileSource, runTile: TileRunner, options: TiledOptions): Promise<RgbImage> {
  const source = 'crop' in input ? input : imageTileSource(input);
  const scale = options.scale ?? 1;
  const tiles = planTiles(source.width, source.height, { tile: options.tile, overlap: options.overlap });
  const blender = createBlender(source.width, source.height, { overlap: options.overlap, scale });
  options.onProgress?.(0, tiles.length);
  for (let i = 0; i < tiles.length; i++) {
    if (options.signal?.aborted) throw new TiledInferenceAborted(i, tiles.length);
    const t = tiles[i];
    const output = await runTile(source.crop(t.x, t.y, t.w, t.h));
    if (output.width !== t.w * scale || output.height !== t.h * scale) {
      throw new Error(`the model returned ${output.width}×${output.height} for a ${t.w}×${t.h} tile (expected ×${scale})`);
    }
    blender.add(t, output.data);
    options.onProgress?.(i + 1, tiles.length);
  }
  const result = blender.result();
  return createImage(result.width, result.height, result.data);
}
