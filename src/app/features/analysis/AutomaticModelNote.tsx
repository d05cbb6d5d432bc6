import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';
import { modelKey } from '../../../core/auto-choice';
import { formatGain, formatProbability, groupTag } from './format';

/**
 * Which model restores when the user picks none, and why (core/routing.ts): the rule's group where
 * held-out measurements trust it, the mix baseline where they do not or where the router is unsure
 * between groups, or nothing at all when the photo looks clean, unlike anything the models know, or
 * no model is expected to help.
 * Silent when the rule's group restores without a policy: the verdict already says so.
 */
export function AutomaticModelNote({ decision, manifest }: { decision: RoutingDecision; manifest: Manifest }) {
  const text = explanation(decision, manifest);
  if (!text) return null;
  return (
    <div
      className="notice small automatic-note"
      role="note"
      data-testid="automatic-model"
      data-model={modelKey(decision.model)}
      data-reason={decision.reason}
      data-via-jpeg-check={decision.viaJpegCheck}
    >
      <p>{text}</p>
    </div>
  );
}

function explanation(decision: RoutingDecision, manifest: Manifest) {
  const tag = groupTag(manifest.groups, decision.chosen);
  const router = decision.router;
  const pickAnyway = 'To restore anyway, pick a model under Restore.';
  switch (decision.reason) {
    case 'no-damage':
      return (
        <>
          <strong>Keeps the photo as it is.</strong> The router is {router ? formatProbability(router.probabilities.clean) : 'very'} sure it is
          undamaged{manifest.router ? ` (the bar is ${formatProbability(manifest.router.noDamageThreshold)})` : ''}, and restoring a clean photo
          can only lose detail. {pickAnyway}
        </>
      );
    case 'no-gain':
      return (
        <>
          <strong>Keeps the photo as it is.</strong> Weighted by the router's probabilities, no model is expected to gain anything on
          this photo. {pickAnyway}
        </>
      );
    case 'unfamiliar':
      return (
        <>
          <strong>Keeps the photo as it is.</strong> It looks unlike anything the models were trained on (see the warning), so none
          of them is made for what is off here. {pickAnyway}
        </>
      );
    case 'split':
      return (
        <>
          <strong>Restores with the mix baseline.</strong> The router is unsure between groups ({topGroups(decision, manifest)}), and the mix
          baseline, trained on every kind of damage, has the highest expected gain
          {decision.predictedGain !== null ? ` (${formatGain(decision.predictedGain)})` : ''}. To use {tag} anyway, pick it under Restore.
        </>
      );
    case 'trusted':
    case 'unreliable':
      return decision.evidence ? trustExplanation(decision, tag) : null;
    case 'no-policy':
      return null;
  }
}

/** "G1 45 %, G4 38 %": the two most probable groups. */
function topGroups(decision: RoutingDecision, manifest: Manifest): string {
  const probabilities = decision.router?.groupProbabilities ?? {};
  return Object.entries(probabilities)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 2)
    .map(([id, p]) => `${groupTag(manifest.groups, id)} ${formatProbability(p)}`)
    .join(', ');
}

/** The held-out evidence behind trusting the rule's group, or falling back to the baseline. */
function trustExplanation(decision: RoutingDecision, tag: string) {
  const { routed, groupGain, baselineGain } = decision.evidence!;
  const sentBy = decision.viaJpegCheck ? 'the JPEG check' : decision.rule === 'router' ? 'the router' : 'the analysis';
  const measured =
    routed > 0 && groupGain !== null && baselineGain !== null
      ? `on ${routed} test images that ${sentBy} sent to ${tag}, its model gained ${formatGain(groupGain)} and the mix baseline ${formatGain(baselineGain)}`
      : `no test image was sent to ${tag} by ${sentBy}, so its model is untested on images like this`;
  if (decision.reason === 'trusted') {
    return (
      <>
        <strong>Restores with {tag}.</strong> It is reliable for images like this: {measured}.
      </>
    );
  }
  const which = decision.viaJpegCheck ? 'JPEG' : decision.rule === 'router' ? 'most likely' : 'closest';
  return (
    <>
      <strong>Restores with the mix baseline.</strong> The {which} group is not reliable here: {measured}. To use {tag} anyway, pick it under Restore.
    </>
  );
}
