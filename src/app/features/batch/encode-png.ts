/** RGBA → PNG blob, off the DOM (OffscreenCanvas). */
export async function encodePng(image: { width: number; height: number; rgba: Uint8ClampedArray }): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser could not create a canvas to encode the PNG.');
  context.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** A small PNG for the list, from the oriented bitmap. */
export async function thumbnailUrl(bitmap: ImageBitmap, side = 160): Promise<string> {
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) return '';
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/png' }));
}
