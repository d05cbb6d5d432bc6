import { describe, expect, it } from 'vitest';
import { restoredFileName, uniqueNames, zipFileName } from './download-names';

describe('download names', () => {
  it('names the restored PNG after the original', () => {
    expect(restoredFileName('photo.jpg')).toBe('photo.restored.png');
    expect(restoredFileName('photo.jpg', 'baseline')).toBe('photo.baseline.png');
    expect(restoredFileName('my.holiday.webp')).toBe('my.holiday.restored.png');
    expect(restoredFileName('scan.PNG')).toBe('scan.restored.png');
    expect(restoredFileName('noextension')).toBe('noextension.restored.png');
    expect(restoredFileName('.hidden')).toBe('.hidden.restored.png');
    expect(restoredFileName('')).toBe('image.restored.png');
    expect(restoredFileName('dir/sub\\photo.jpeg')).toBe('photo.restored.png');
  });

  it('makes zip entries unique, case-insensitively', () => {
    expect(uniqueNames(['a.restored.png', 'b.restored.png', 'a.restored.png', 'A.restored.png'])).toEqual([
      'a.restored.png',
      'b.restored.png',
      'a.restored-2.png',
      'A.restored-3.png',
    ]);
  });

  it('dates the zip', () => {
    expect(zipFileName(new Date(2025, 2, 4))).toBe('grids-restored-2025-03-04.zip');
  });
});
