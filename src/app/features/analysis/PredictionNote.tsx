import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';

/** Where the card's predicted gain comes from: it is measured before running any model, and the rule says how. */
export function PredictionNote({ decision, manifest, jpegFired }: { decision: RoutingDecision; manifest: Manifest; jpegFired: boolean }) {
  if (decision.predictedGain === null || decision.model.kind === 'none') return null;
  const whose = decision.model.kind === 'baseline' ? "the mix baseline's" : "this group's";
  let text: string;
  if (decision.rule === 'router') text = `Predicted before running any model: ${whose} measured gain on each kind of damage, weighted by the router's probabilities.`;
  else if (decision.model.kind === 'baseline' || manifest.selection.calibration?.expectedGain)
    text = `Predicted before running any model: ${whose} measured gain on ${jpegFired ? 'JPEG' : 'the closest kind of damage'}.`;
  else text = 'Predicted from the distance alone, before running any model.';
  return <p className="muted small">{text}</p>;
}
