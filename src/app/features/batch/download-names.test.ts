import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_STEM, restoredFileName, uniqueNames, zipFileName } from './download-names';

describe('download names', () => {
  it('names the restored PNG after the original', () => {
    expect(restoredFileName('photo.jpg')).toBe('photo.restored.png');
    expect(restoredFileName('photo.jpg', 'baseline')).toBe('photo.baseline.png');
    expect(restoredFileName('my.holiday.webp')).toBe('my.holiday.restored.png');
    expect(restoredFileName('scan.PNG')).toBe('scan.restored.png');
    expect(restoredFileName('noextension')).toBe('noextension.restored.png');
    expect(restoredFileName('.hidden')).toBe('hidden.restored.png'); // a download is never a hidden file
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

  it('cleans what a file system or an unzip tool could misread', () => {
    expect(restoredFileName('../../etc/passwd')).toBe('passwd.restored.png');
    expect(restoredFileName('..')).toBe('image.restored.png');
    expect(restoredFileName('a..b.jpg')).toBe('a.b.restored.png');
    expect(restoredFileName('tab\tand\nnewline\u0000.png')).toBe('tab_and_newline_.restored.png');
    expect(restoredFileName('what?<now>|"why":*.png')).toBe('what__now___why___.restored.png');
    expect(restoredFileName('CON.jpg')).toBe('_CON.restored.png');
    // A right-to-left override would show "photo\u202Egnp.exe" as "photoexe.png".
    expect(restoredFileName('photo\u202Egnp.exe')).toBe('photo_gnp.restored.png');
    expect(restoredFileName(`${'x'.repeat(300)}.png`)).toBe(`${'x'.repeat(MAX_STEM)}.restored.png`);
    expect(restoredFileName('   .png')).toBe('image.restored.png');
  });

  /** What every download name must be, whatever the photo was called. */
  function expectSafe(name: string): void {
    expect(name).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}/\\<>:"|?*]/u);
    expect(name).not.toContain('..');
    expect(name.startsWith('.')).toBe(false);
    expect(name).toMatch(/^.+\.(restored|baseline)(-\d+)?\.png$/);
    expect([...name].length).toBeLessThanOrEqual(MAX_STEM + '_.baseline-99999.png'.length);
  }

  it('any name at all (fast-check, 10 000 names) gives a safe download name', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom('grids' as const, 'baseline' as const), (original, kind) => {
      expectSafe(restoredFileName(original, kind));
    }), { numRuns: 10_000 });
  });

  it('any batch of names (fast-check) gives zip entries that are safe and unique, case-insensitively', () => {
    const original = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('photo.jpg', 'Photo.JPG', 'photo.restored-2.jpg', '..', ''));
    fc.assert(fc.property(fc.array(original, { maxLength: 30 }), (originals) => {
      const names = uniqueNames(originals.map((o) => restoredFileName(o)));
      names.forEach(expectSafe);
      expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    }), { numRuns: 2_000 });
  });
});

