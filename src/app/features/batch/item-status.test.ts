import { describe, expect, it } from 'vitest';
import { newItem } from '../../state/store';
import type { ImageItem } from '../../state/types';
import { itemStatus } from './item-status';

const ready: ImageItem['decode'] = { status: 'ready', width: 4, height: 4, format: 'png', hasAlpha: false, grayscale: false, thumbnailUrl: '' };

function item(patch: Partial<ImageItem>): ImageItem {
  return { ...newItem('a', 'a.png', 10), decode: ready, ...patch };
}

describe('itemStatus', () => {
  it('reports decoding and decode errors first', () => {
    expect(itemStatus(newItem('a', 'a.png', 1)).stage).toBe('decoding');
    const failed = itemStatus(item({ decode: { status: 'error', message: 'This file is empty.' } }));
    expect(failed).toEqual({ stage: 'error', text: 'This file is empty.', tone: 'error' });
  });

  it('shows restoration progress over the analysis', () => {
    const running = item({
      analysis: { status: 'error', message: 'x' },
      restore: { grids: { status: 'running', model: { kind: 'group', id: 'g' }, progress: { done: 1, total: 4, elapsedMs: 1, etaMs: 3 } }, baseline: { status: 'idle' } },
    });
    expect(itemStatus(running)).toMatchObject({ stage: 'restoring', text: 'Restoring 25%' });
  });

  it('flags unusual (out-of-distribution) images and analysis failures', () => {
    const result = { chosen: 'g', chosenDistance: 5, nearestGroupDistance: 5, likelyDegradation: 'jpeg', jpegCheck: null, ood: true, oodThreshold: 4, predictedGain: null, automatic: { model: { kind: 'group' as const, id: 'g' }, reason: 'no-policy' as const, evidence: null, viaJpegCheck: false, predictedGain: null }, groups: [], degradations: [], ggd: { sigma: 1, beta: 1 }, backend: 'wasm' as const, milliseconds: 1, descriptorMilliseconds: 0.5 };
    expect(itemStatus(item({ analysis: { status: 'done', result } })).tone).toBe('warn');
    expect(itemStatus(item({ analysis: { status: 'error', message: 'no models' } }))).toMatchObject({ stage: 'analysis-error', tone: 'error' });
  });
});
