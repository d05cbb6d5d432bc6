import { describe, expect, it } from 'vitest';
import { fixtureManifest } from '../../testing/fixture-manifest';
import { automaticName, menuChoice, menuValue, modelLabel } from './model-menu';

describe('model menu', () => {
  it('round-trips every choice through its option value', () => {
    for (const choice of [null, { kind: 'none' } as const, { kind: 'baseline' } as const, { kind: 'group', id: 'group-2' } as const]) {
      expect(menuChoice(menuValue(choice))).toEqual(choice);
    }
    // Groups are picked by id.
    expect(menuValue({ kind: 'group', id: 'group-2' })).toBe('group-2');
  });

  it('names the kept original like any model', () => {
    const manifest = fixtureManifest();
    expect(modelLabel({ kind: 'none' }, manifest)).toBe('Original (kept as it is)');
    expect(modelLabel({ kind: 'group', id: 'group-2' }, manifest)).toBe('GRIDS · G2');
    expect(automaticName({ kind: 'none' }, manifest)).toBe('Keep original');
  });
});
