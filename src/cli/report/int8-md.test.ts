import { describe, expect, it } from 'vitest';
import { int8Lines, int8Verdicts, type Int8Study } from './int8-md';

/** losses[variant][row]: how much each variant loses on gaussian blur (row 0) and inpainting (row 1). */
const study = (losses: number[][]): Int8Study => ({
  protocol: { photos: 11, crop: 256, seed: 0, calibrationPhotos: 16 },
  variants: ['all int8', 'first and last conv float'],
  rows: [
    { group: 'group-1', task: 'gaussian_blur', float: 24, int8: losses.map((l) => 24 - l[0]) },
    { group: 'group-8', task: 'inpainting', float: 28, int8: losses.map((l) => 28 - l[1]) },
  ],
});
const name = (id: string) => id.replace('_', ' ');

describe('the int8 quality check in RESULTS.md', () => {
  it('fails a variant that loses more than 0.1 dB on any degradation, and names where', () => {
    const [all, mixed] = int8Verdicts(study([[0.11, 4.88], [0.06, 0.1]]), name);
    expect(all).toMatchObject({ passes: false, over: ['gaussian blur', 'inpainting'], worst: { task: 'inpainting' } });
    expect(all.worst.loss).toBeCloseTo(4.88, 10);
    // Exactly 0.1 dB is allowed.
    expect(mixed).toMatchObject({ passes: true, over: [] });
  });

  it('renders the table with signed changes and says what ships', () => {
    const failing = int8Lines(study([[0.2, 1], [0.3, 0.5]]), name).join('\n');
    expect(failing).toContain('| group-8 | inpainting | 28.00 | 27.00 (−1.00) | 27.50 (−0.50) |');
    expect(failing).toContain('No variant passes, so the app and the CLI ship the float models only.');
    expect(int8Lines(study([[0, 0.05], [0.01, 0]]), name).join('\n')).toContain('- all int8: passes (worst inpainting, −0.05 dB).');
    expect(int8Lines(undefined, name)).toEqual([]);
  });
});
