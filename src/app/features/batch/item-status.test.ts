import { describe, expect, it } from 'vitest';
import { newItem } from '../../state/store';
import { analysisResult, klSelection, logitsFavouring, routerManifest } from '../../testing/analysis-fixture';
import { fixtureManifest } from '../../testing/fixture-manifest';
import type { ImageItem } from '../../state/types';
import { itemStatus } from './item-status';

const ready: ImageItem['decode'] = { status: 'ready', width: 4, height: 4, format: 'png', hasAlpha: false, grayscale: false, animated: false, thumbnailUrl: '' };

function item(patch: Partial<ImageItem>): ImageItem {
  return { ...newItem('a', 'a.png', 10), decode: ready, ...patch };
}

describe('itemStatus', () => {
  it('reports decoding and decode errors first', () => {
    expect(itemStatus(newItem('a', 'a.png', 1), undefined, 'auto').stage).toBe('decoding');
    const failed = itemStatus(item({ decode: { status: 'error', message: 'This file is empty.' } }), undefined, 'auto');
    expect(failed).toEqual({ stage: 'error', text: 'This file is empty.', tone: 'error' });
  });

  it('shows restoration progress over the analysis', () => {
    const running = item({
      analysis: { status: 'error', message: 'x' },
      restore: { grids: { status: 'running', model: { kind: 'group', id: 'g' }, progress: { done: 1, total: 4, elapsedMs: 1, etaMs: 3 } }, baseline: { status: 'idle' } },
    });
    expect(itemStatus(running, undefined, 'auto')).toMatchObject({ stage: 'restoring', text: 'Restoring 25%' });
  });

  it('flags unusual (out-of-distribution) images and analysis failures', () => {
    const manifest = fixtureManifest();
    const result = analysisResult(manifest, klSelection(manifest, 'group-1', 5), null);
    expect(itemStatus(item({ analysis: { status: 'done', result } }), manifest, 'auto')).toMatchObject({ stage: 'analysed', tone: 'warn' });
    expect(itemStatus(item({ analysis: { status: 'error', message: 'no models' } }), manifest, 'auto')).toMatchObject({ stage: 'analysis-error', tone: 'error' });
  });

  it('follows the routing rule in the settings: an unfamiliar photo by distance, a clean one by the router', () => {
    const manifest = routerManifest();
    // Far by distance (the KL rule's OOD), but the router is sure the photo is clean and its OOD model finds it familiar enough.
    const result = analysisResult(manifest, klSelection(manifest, 'group-1', 4.4), logitsFavouring({ clean: 5 }));
    const done = item({ analysis: { status: 'done', result } });
    expect(itemStatus(done, manifest, 'router')).toEqual({ stage: 'analysed', text: 'No damage found', tone: 'neutral' });
    expect(itemStatus(done, manifest, 'kl')).toMatchObject({ stage: 'analysed', tone: 'warn' });
  });
});
