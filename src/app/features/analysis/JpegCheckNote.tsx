import type { Manifest } from '../../../core/manifest';
import type { RoutingDecision } from '../../../core/routing';
import type { AnalysisResult } from '../../inference/client';
import { formatProbability, groupTag } from './format';

/**
 * What the JPEG check (core/jpeg-check.ts) found. The distances cannot see JPEG's 8×8 block grid, so
 * when the check finds it, the KL rule restores with the JPEG group although another group is
 * closer; saying so keeps the "closest group" facts honest. The learned router does not use the
 * check, so under it the finding is only reported.
 */
export function JpegCheckNote({ result, decision, manifest }: { result: AnalysisResult; decision: RoutingDecision; manifest: Manifest }) {
  const check = result.jpegCheck;
  if (!check) return null;
  const nearest = result.groups[0]?.id;
  const jpegGroup = result.selection.chosen;
  return (
    <p className={`jpeg-check small ${check.fired && decision.rule === 'kl' ? 'is-fired' : 'muted'}`} data-testid="jpeg-check" data-fired={check.fired} data-probability={check.probability}>
      {!check.fired ? (
        <>No JPEG block grid found ({formatProbability(check.probability)} JPEG).</>
      ) : decision.rule === 'kl' ? (
        <>
          <strong>JPEG blocks found</strong> ({formatProbability(check.probability)} sure): the JPEG group restores this photo
          {nearest && nearest !== jpegGroup ? `, although by distance ${groupTag(manifest.groups, nearest)} is closest` : ''}.
        </>
      ) : (
        <>
          <strong>JPEG blocks found</strong> ({formatProbability(check.probability)} sure). The paper's KL rule would send this photo
          to {groupTag(manifest.groups, jpegGroup)}; the learned router weighs it with everything else it sees.
        </>
      )}
    </p>
  );
}
