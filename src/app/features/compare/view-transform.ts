/**
 * Zoom and pan of the compare view. A view maps image pixels to container pixels:
 * screen = offset + scale · image. Pure functions, so zoom-at-cursor and clamping are testable.
 */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MAX_SCALE = 32;

/** The whole image, centred; small images are enlarged to fill the view, up to 8×. */
export function fitView(container: Size, image: Size): View {
  const scale = Math.min(container.width / image.width, container.height / image.height, 8);
  return centred(container, image, scale);
}

/** Actual pixels (1:1), centred. */
export function actualSizeView(container: Size, image: Size): View {
  return centred(container, image, 1);
}

function centred(container: Size, image: Size, scale: number): View {
  return { scale, x: (container.width - image.width * scale) / 2, y: (container.height - image.height * scale) / 2 };
}

/** Smallest zoom: half the fitted size (or 1:1 for tiny images), so the image never vanishes. */
export function minScale(container: Size, image: Size): number {
  return Math.min(1, fitView(container, image).scale / 2);
}

/** Zooms by `factor` keeping the image point under (px, py) still, as maps and Squoosh do. */
export function zoomAt(view: View, factor: number, px: number, py: number, container: Size, image: Size): View {
  const scale = Math.max(minScale(container, image), Math.min(MAX_SCALE, view.scale * factor));
  const k = scale / view.scale;
  return clampPan({ scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k }, container, image);
}

export function panBy(view: View, dx: number, dy: number, container: Size, image: Size): View {
  return clampPan({ ...view, x: view.x + dx, y: view.y + dy }, container, image);
}

/**
 * Keeps the image on screen: when it is smaller than the view it stays inside it; when larger, its
 * edges may not pull in past the view's edges (no panning into emptiness).
 */
export function clampPan(view: View, container: Size, image: Size): View {
  const axis = (offset: number, viewSide: number, imageSide: number) => {
    const shown = imageSide * view.scale;
    if (shown <= viewSide) return Math.max(0, Math.min(viewSide - shown, offset));
    return Math.max(viewSide - shown, Math.min(0, offset));
  };
  return { scale: view.scale, x: axis(view.x, container.width, image.width), y: axis(view.y, container.height, image.height) };
}

/** Wheel delta → zoom factor (trackpads send many small deltas, mice few large ones). */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-pixels * 0.0015);
}
