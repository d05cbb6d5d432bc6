import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLEAN, ROUTER_CLASSES, type RouterClass } from './classes';
import { TRAINED_CLEAN_SHARE, withCleanPrior } from './router';

// Bayes' rule from scratch: posterior ∝ prior × likelihood, for a photo whose likelihood under each class is given.
function posterior(prior: (c: RouterClass) => number, likelihood: readonly number[]): Record<RouterClass, number> {
  const joint = ROUTER_CLASSES.map((c, i) => prior(c) * likelihood[i]);
  const evidence = joint.reduce((a, b) => a + b, 0);
  return Object.fromEntries(ROUTER_CLASSES.map((c, i) => [c, joint[i] / evidence])) as Record<RouterClass, number>;
}
const likelihoods = fc.array(fc.double({ min: 1e-6, max: 1, noNaN: true }), { minLength: ROUTER_CLASSES.length, maxLength: ROUTER_CLASSES.length });
const shares = fc.double({ min: 0.001, max: 0.999, noNaN: true });

describe('withCleanPrior', () => {
  it('gives the posterior under the new prior, from the posterior under equal priors (against Bayes\' rule from the likelihoods)', () => {
    fc.assert(fc.property(likelihoods, shares, (likelihood, q) => {
      const trained = posterior(() => 1 / ROUTER_CLASSES.length, likelihood);
      const expected = posterior((c) => (c === CLEAN ? q : (1 - q) / (ROUTER_CLASSES.length - 1)), likelihood);
      const got = withCleanPrior(trained, q);
      for (const c of ROUTER_CLASSES) expect(got[c]).toBeCloseTo(expected[c], 10);
    }));
  });

  it('moves nothing at the trained share, and never reorders the damages', () => {
    fc.assert(fc.property(likelihoods, shares, (likelihood, q) => {
      const trained = posterior(() => 1, likelihood);
      const same = withCleanPrior(trained, TRAINED_CLEAN_SHARE);
      for (const c of ROUTER_CLASSES) expect(same[c]).toBeCloseTo(trained[c], 12);
      const shifted = withCleanPrior(trained, q);
      const damages = ROUTER_CLASSES.filter((c) => c !== CLEAN);
      for (const a of damages) for (const b of damages) if (trained[a] > trained[b]) expect(shifted[a]).toBeGreaterThanOrEqual(shifted[b]);
    }));
  });

  it('a larger share of undamaged photos never lowers P(clean)', () => {
    fc.assert(fc.property(likelihoods, shares, shares, (likelihood, q1, q2) => {
      const trained = posterior(() => 1, likelihood);
      const [lo, hi] = q1 < q2 ? [q1, q2] : [q2, q1];
      expect(withCleanPrior(trained, hi)[CLEAN]).toBeGreaterThanOrEqual(withCleanPrior(trained, lo)[CLEAN] - 1e-12);
    }));
  });

  it('refuses a share outside (0, 1) in words', () => {
    const p = posterior(() => 1, ROUTER_CLASSES.map(() => 1));
    for (const q of [0, 1, -0.5, Number.NaN]) expect(() => withCleanPrior(p, q)).toThrow(/share of undamaged photos must be between 0 and 1/);
  });
});
