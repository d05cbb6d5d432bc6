import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';
import type { AnalysisResult } from '../../inference/client';
import { formatProbability, groupTag } from './format';

/**
 * What the JPEG check (core/jpeg-check.ts) found, under the KL rule, which it is part of. The
 * distances cannot see JPEG's 8×8 block grid, so when the check finds it, the KL rule restores with
 * the JPEG group although another group is closer; saying so keeps the "closest group" facts honest.
 * The learned router does not use the check and reads JPEG itself, so under it the card shows only
 * the router's reading: a second, weaker detector beside it would contradict it.
 */
export function JpegCheckNote({ result, decision, manifest }: { result: AnalysisResult; decision: RoutingDecision; manifest: Manifest }) {
  const check = result.jpegCheck;
  if (!check || decision.rule !== 'kl') return null;
  const nearest = result.groups[0]?.id;
  const jpegGroup = result.selection.chosen;
  return (
    <p className={`jpeg-check small ${check.fired ? 'is-fired' : 'muted'}`} data-testid="jpeg-check" data-fired={check.fired} data-probability={check.probability}>
      {!check.fired ? (
        <>No JPEG block grid found ({formatProbability(check.probability)} JPEG).</>
      ) : (
        <>
          <strong>JPEG blocks found</strong> ({formatProbability(check.probability)} sure): the JPEG group restores this photo
          {nearest && nearest !== jpegGroup ? `, although by distance ${groupTag(manifest.groups, nearest)} is closest` : ''}.
        </>
      )}
    </p>
  );
}
