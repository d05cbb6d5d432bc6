import { describe, expect, it } from 'vitest';
import { formatBytes, formatMegapixels, MAX_PIXELS, sizeLimitError } from './limits';

describe('size limit', () => {
  it('accepts exactly 64 MP and refuses one pixel row more', () => {
    expect(sizeLimitError({ width: 8000, height: 8000 })).toBeNull();
    expect(8000 * 8000).toBe(MAX_PIXELS);
    const message = sizeLimitError({ width: 8000, height: 8001 });
    expect(message).toMatch(/8000 × 8001/);
    expect(message).toMatch(/64 MP limit/);
  });

  it('formats megapixels and bytes for people', () => {
    expect(formatMegapixels({ width: 256, height: 256 })).toBe('0.07 MP');
    expect(formatMegapixels({ width: 4000, height: 3000 })).toBe('12 MP');
    expect(formatMegapixels({ width: 1920, height: 1080 })).toBe('2.1 MP');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3400)).toBe('3.4 kB');
    expect(formatBytes(12_000_000)).toBe('12.0 MB');
  });
});
