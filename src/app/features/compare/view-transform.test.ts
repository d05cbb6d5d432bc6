import { describe, expect, it } from 'vitest';
import { clampPan, fitView, MAX_SCALE, panBy, wheelFactor, zoomAt } from './view-transform';

const container = { width: 800, height: 600 };
const image = { width: 4000, height: 2000 };

describe('compare view transform', () => {
  it('fits and centres the image', () => {
    expect(fitView(container, image)).toEqual({ scale: 0.2, x: 0, y: 100 });
    expect(fitView(container, { width: 50, height: 50 }).scale).toBe(8); // capped enlargement
  });

  it('zooms about the cursor', () => {
    const view = fitView(container, image);
    const zoomed = zoomAt(view, 2, 400, 300, container, image);
    expect(zoomed.scale).toBeCloseTo(0.4);
    // The image point under the cursor stays under it.
    const before = { x: (400 - view.x) / view.scale, y: (300 - view.y) / view.scale };
    const after = { x: (400 - zoomed.x) / zoomed.scale, y: (300 - zoomed.y) / zoomed.scale };
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('clamps zoom and pan', () => {
    const view = fitView(container, image);
    expect(zoomAt(view, 1e6, 0, 0, container, image).scale).toBe(MAX_SCALE);
    expect(zoomAt(view, 1e-6, 0, 0, container, image).scale).toBeCloseTo(0.1);
    const big = { scale: 1, x: 0, y: 0 };
    expect(panBy(big, 500, 500, container, image)).toEqual({ scale: 1, x: 0, y: 0 });
    expect(panBy(big, -1e5, -1e5, container, image)).toEqual({ scale: 1, x: -3200, y: -1400 });
    expect(clampPan({ scale: 0.1, x: -50, y: 900 }, container, image)).toEqual({ scale: 0.1, x: 0, y: 400 });
  });

  it('turns wheel deltas into zoom factors', () => {
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1);
    expect(wheelFactor(100, 0)).toBeLessThan(1);
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(48, 0));
  });
});
