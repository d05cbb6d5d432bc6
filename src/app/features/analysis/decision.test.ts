import { describe, expect, it } from 'vitest';
import { fixtureManifest } from '../../testing/fixture-manifest';
import { analysisResult, klSelection, logitsFavouring, routerManifest } from '../../testing/analysis-fixture';
import { analysisFits, decisionFor, isRoutingRuleSetting, resolveRule } from './decision';

describe('decisionFor', () => {
  const manifest = routerManifest();
  // By KL the photo is nearest the blur group (group-1); the router is ~93 % sure it is Gaussian noise (group-4).
  const result = analysisResult(manifest, klSelection(manifest, 'group-1', 2), logitsFavouring({ gaussian_noise: 5 }));

  it('lets the two rules pick different models for the same analysis, without analysing again', () => {
    const router = decisionFor(result, manifest, 'router');
    const kl = decisionFor(result, manifest, 'kl');
    expect(router).toMatchObject({ rule: 'router', chosen: 'group-4', model: { kind: 'group', id: 'group-4' } });
    expect(kl).toMatchObject({ rule: 'kl', chosen: 'group-1', model: { kind: 'group', id: 'group-1' } });
    // The KL decision still carries the router's reading, for "Why this group?".
    expect(kl.router?.likely).toBe('gaussian_noise');
  });

  it("follows the manifest's default rule on 'auto': the router where there is one", () => {
    expect(decisionFor(result, manifest, 'auto')).toEqual(decisionFor(result, manifest, 'router'));
    const plain = fixtureManifest();
    const noRouter = analysisResult(plain, klSelection(plain, 'group-2', 2), null);
    expect(decisionFor(noRouter, plain, 'auto').rule).toBe('kl');
  });

  it('falls back to the KL rule when the router rule cannot decide', () => {
    const plain = fixtureManifest();
    expect(resolveRule('router', plain)).toBe('kl');
    // Analysed without logits (say, before the router shipped): the KL rule decides.
    const withoutLogits = { ...result, routerInput: null };
    expect(decisionFor(withoutLogits, manifest, 'router')).toMatchObject({ rule: 'kl', model: { kind: 'group', id: 'group-1' } });
  });

  it('keeps a clean photo as it is, and sends a split between groups to the mix baseline', () => {
    const clean = analysisResult(manifest, klSelection(manifest, 'group-1', 2), logitsFavouring({ clean: 5 }));
    expect(decisionFor(clean, manifest, 'router')).toMatchObject({ reason: 'no-damage', model: { kind: 'none' }, predictedGain: 0 });
    const split = analysisResult(manifest, klSelection(manifest, 'group-1', 2), logitsFavouring({ gaussian_blur: 5, gaussian_noise: 5 }));
    expect(decisionFor(split, manifest, 'router')).toMatchObject({ reason: 'split', model: { kind: 'baseline' } });
  });

  it('asks for a new analysis only where the rules read different descriptor patches', () => {
    // The fixture's router reads every planned patch: switching rules never needs a new analysis.
    for (const setting of ['auto', 'router', 'kl'] as const) expect(analysisFits(result, manifest, setting)).toBe(true);
    // A router that reads the first half: its analysis does not serve the KL rule, nor the KL rule's it.
    const half = { ...manifest, router: { ...manifest.router!, descriptorPatches: manifest.descriptor.input.patchCount / 2 } };
    const byRouter = analysisResult(half, klSelection(half, 'group-1', 2), logitsFavouring({ gaussian_noise: 5 }));
    expect(byRouter.descriptorPatches).toBe(32);
    expect([analysisFits(byRouter, half, 'auto'), analysisFits(byRouter, half, 'router'), analysisFits(byRouter, half, 'kl')]).toEqual([true, true, false]);
    const byKl = { ...byRouter, descriptorPatches: 64 };
    expect([analysisFits(byKl, half, 'router'), analysisFits(byKl, half, 'kl')]).toEqual([false, true]);
    // Without the router's logits the KL rule decides whatever the setting, so a full analysis fits.
    expect(analysisFits({ ...byKl, routerInput: null }, half, 'router')).toBe(true);
  });

  it('accepts only known settings', () => {
    expect(['auto', 'router', 'kl'].every(isRoutingRuleSetting)).toBe(true);
    expect(isRoutingRuleSetting('nearest')).toBe(false);
  });
});
