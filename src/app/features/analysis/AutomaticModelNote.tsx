import type { Manifest } from '../../../core/manifest';
import type { AnalysisResult } from '../../inference/client';
import { formatGain, groupTag } from './format';

/**
 * Which model restores when the user picks none, and why: the chosen group where the held-out
 * measurement trusts it, otherwise the mix baseline (core/auto-choice.ts). Silent without a policy.
 * When the JPEG check chose the group, the evidence is that of the images the check sent there.
 */
export function AutomaticModelNote({ result, manifest }: { result: AnalysisResult; manifest: Manifest }) {
  const { automatic } = result;
  if (automatic.reason === 'no-policy' || !automatic.evidence) return null;
  const tag = groupTag(manifest.groups, result.chosen);
  const { routed, groupGain, baselineGain } = automatic.evidence;
  const model = automatic.model.kind === 'baseline' ? 'baseline' : automatic.model.id;
  const sentBy = automatic.viaJpegCheck ? 'the JPEG check' : 'the analysis';
  const measured =
    routed > 0 && groupGain !== null && baselineGain !== null
      ? `on ${routed} test images that ${sentBy} sent to ${tag}, its model gained ${formatGain(groupGain)} and the mix baseline ${formatGain(baselineGain)}`
      : `no test image was sent to ${tag} by ${sentBy}, so its model is untested on images like this`;
  return (
    <div className="notice small automatic-note" role="note" data-testid="automatic-model" data-model={model} data-reason={automatic.reason} data-via-jpeg-check={automatic.viaJpegCheck}>
      {automatic.reason === 'trusted' ? (
        <p>
          <strong>Restores with {tag}.</strong> It is reliable for images like this: {measured}.
        </p>
      ) : (
        <p>
          <strong>Restores with the mix baseline.</strong> The {automatic.viaJpegCheck ? 'JPEG' : 'closest'} group is not reliable here: {measured}. To use {tag} anyway, pick it under Restore.
        </p>
      )}
    </div>
  );
}
