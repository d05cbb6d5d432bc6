import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';
import { modelKey } from '../../../core/auto-choice';
import { formatProbability, groupTag, routerClassName } from './format';

/**
 * The card's answer in one line: what happens to the photo by default. "No damage found" is said
 * only when the router believes the photo undamaged, and then plainly, because keeping the photo
 * as it is is the right outcome, not a failure. Damage the router sees but no model is expected to
 * gain on is named, so that a kept photo is never mistaken for a clean one.
 */
export function Verdict({ decision, manifest }: { decision: RoutingDecision; manifest: Manifest }) {
  const { model, router } = decision;
  const keeps = model.kind === 'none';
  return (
    <p className={`verdict ${keeps ? 'is-kept' : ''}`} data-testid="analysis-verdict" data-reason={decision.reason} data-model={modelKey(model)}>
      {decision.reason === 'no-damage' ? (
        <>
          <strong>No damage found</strong>
          {router && <> (P(clean) {formatProbability(router.probabilities.clean)})</>}. The photo will be kept as it is.
        </>
      ) : decision.reason === 'unfamiliar' ? (
        <>
          <strong>Damage none of the models is made for.</strong> The photo will be kept as it is.
        </>
      ) : keeps && router && router.likely !== 'clean' ? (
        <>
          <strong>{routerClassName(router.likely, manifest.degradations)} found</strong> (P {formatProbability(router.probabilities[router.likely])}); no
          model is expected to gain on it, so the photo is kept as it is.
        </>
      ) : keeps ? (
        <>
          <strong>No model is expected to improve this photo.</strong> It will be kept as it is.
        </>
      ) : (
        <>
          Restores with <strong>{model.kind === 'baseline' ? 'the mix baseline' : `${groupTag(manifest.groups, model.id)} · ${manifest.groups.find((g) => g.id === model.id)?.name ?? model.id}`}</strong>
          {decision.rule === 'router' && router && router.likely !== 'clean' && (
            <>
              ; most likely damage: {routerClassName(router.likely, manifest.degradations)} ({formatProbability(router.probabilities[router.likely])})
            </>
          )}
          .
        </>
      )}
    </p>
  );
}
