import type { Manifest } from '../../../core/manifest';
import type { AnalysisResult } from '../../inference/client';
import { formatProbability, groupTag } from './format';

/**
 * What the JPEG check (core/jpeg-check.ts) found. The distances cannot see JPEG's 8×8 block grid, so
 * when the check finds it, the JPEG group restores although another group is closer; saying so
 * keeps the "closest group" facts honest.
 */
export function JpegCheckNote({ result, manifest }: { result: AnalysisResult; manifest: Manifest }) {
  const check = result.jpegCheck;
  if (!check) return null;
  const nearest = result.groups[0]?.id;
  return (
    <p className={`jpeg-check small ${check.fired ? 'is-fired' : 'muted'}`} data-testid="jpeg-check" data-fired={check.fired} data-probability={check.probability}>
      {check.fired ? (
        <>
          <strong>JPEG blocks found</strong> ({formatProbability(check.probability)} sure): the JPEG group restores this photo
          {nearest && nearest !== result.chosen ? `, although by distance ${groupTag(manifest.groups, nearest)} is closest` : ''}.
        </>
      ) : (
        <>No JPEG block grid found ({formatProbability(check.probability)} JPEG).</>
      )}
    </p>
  );
}
