/**
 * Writes public/samples/test-scene.png: the procedural 256×256 test scene (seed 0) from
 * src/core/degradations/test-scenes.ts. Our own content, so it can ship with the app.
 *
 *   npx tsx scripts/make-test-scene.ts
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { generateTestScene } from '../src/core/degradations/test-scenes.ts';
import { toRgb8 } from '../src/core/image.ts';

export const TEST_SCENE_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../public/samples/test-scene.png');
export const TEST_SCENE_OPTIONS = { width: 256, height: 256, seed: 0 } as const;

export async function writeTestScene(path = TEST_SCENE_PATH): Promise<void> {
  const scene = generateTestScene(TEST_SCENE_OPTIONS);
  await mkdir(dirname(path), { recursive: true });
  await sharp(toRgb8(scene), { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toFile(path);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeTestScene();
  console.log(`wrote ${TEST_SCENE_PATH}`);
}
