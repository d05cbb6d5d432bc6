import { describe, expect, it } from 'vitest';
import { chooseDdrLayer } from './layer-choice';

const m = (layer: string, top1: number, separatedCount = 11, crops = 121) => ({ layer, top1, separatedCount, crops });

describe('chooseDdrLayer', () => {
  it('takes the cheapest layer within one standard error of the best', () => {
    // The measured case: SE of 35.5 % over 121 crops is 4.35 points.
    const decision = chooseDdrLayer([m('block_3', 0.347), m('last_block', 0.355), m('hidden_hr', 0.331)]);
    expect(decision.chosen).toBe('block_3');
    expect(decision.bar).toBeCloseTo(0.355 - Math.sqrt((0.355 * 0.645) / 121), 12);
  });

  it('keeps the best layer when the cheaper ones are clearly worse', () => {
    expect(chooseDdrLayer([m('block_3', 0.2), m('last_block', 0.4), m('hidden_hr', 0.38)]).chosen).toBe('last_block');
    // More crops, smaller error: a 3-point gap becomes decisive.
    expect(chooseDdrLayer([m('block_3', 0.37, 11, 2000), m('last_block', 0.4, 11, 2000)]).chosen).toBe('last_block');
  });

  it('does not trade separation for cost', () => {
    expect(chooseDdrLayer([m('block_3', 0.35, 10), m('last_block', 0.355, 11)]).chosen).toBe('last_block');
  });

  it('refuses an empty list', () => {
    expect(() => chooseDdrLayer([])).toThrow(/no DDR layer candidates/);
  });
});
