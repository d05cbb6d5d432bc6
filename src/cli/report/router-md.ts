import { ROUTER_CLASSES } from '../../core/router/classes';
import type { RouterTrainingResult } from '../router/stage';
import type { RouterCalibration } from '../router/calibrate';
import type { OodFit } from '../router/ood';

/** What the shared routing protocol prints (its `summary`), the fields this report reads. */
export interface ProtocolSummary {
  crops: number;
  routing: number;
  psnr: { input: number; auto: number; chosen: number; baseline: number; ownGroup: number; oracle: number };
  autoMinusBaseline: number;
  regretAuto: number;
  worseThanInputAuto: number;
  autoBaselineShare: number;
  gainPredictionR: number | null;
  falseOodInDist: number;
  oodAurocVsDegraded: number | null;
  oodAurocVsClean: number | null;
  oodAurocPerKind: Record<string, number>;
  oodFlagged: Record<string, string>;
  clean: { n: number; keptAsIs: number; models: string[] };
  combos: Record<string, { pin: number; auto: number; base: number }>;
  byDeg: Record<string, { n: number; routed: number; pin: number; auto: number; base: number; own: number; oracle: number }>;
}

/** scripts/routing-validation.ts's output: the protocol under both rules, and the router's own OOD score. */
export interface RoutingValidation {
  photos: string;
  createdAt: string;
  protocol: { router: ProtocolSummary; kl: ProtocolSummary };
  /** OOD crops the analysis refused (left out of the OOD figures). */
  refused?: string[];
  routerOod: {
    aurocVsDegraded: number;
    aurocVsClean: number;
    aurocPerKind: Record<string, number>;
    falseFlagsDegraded: number;
    falseFlagsClean: number;
    flagged: Record<string, string>;
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const dB = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
const check = (ok: boolean) => (ok ? 'met' : '**not met**');

/** §8's learned-router part: how it was trained and calibrated, and both rules side by side on the validation photos. */
export function routerSection(router: { training: RouterTrainingResult; calibration: RouterCalibration; ood?: OodFit } | undefined, validation: RoutingValidation | undefined, names: (id: string) => string): string[] {
  if (!router) return [];
  const { training: t, calibration: c, ood } = router;
  const last = t.history.at(-1);
  const out = [
    '### The learned router',
    '',
    `A patch-set network (src/core/router, src/cli/router): 49 patches of 64 px on a fixed grid, ${t.hyper.hidden}-wide shared MLP over each patch's cues, mean and max pooling, an MLP head over ${ROUTER_CLASSES.length} classes (the 11 degradations and clean). Trained with tfjs on ${t.samples} views of ${t.trainPhotos} training photos (degradations drawn over their full ranges, after a random camera history: softness or a slight enlargement, sensor noise, sharpening, a JPEG at quality 60–95; 30 % of the views with a synthetic shallow depth of field, 15 % as monochrome prints${t.outliers ? `; ${t.outliers.samples} of the views damaged by ${t.outliers.kinds.length} out-of-distribution kinds (${t.outliers.kinds.join(', ')}) and trained towards no class, outlier exposure` : ''}), ${t.hyper.epochs} epochs in ${(t.seconds / 60).toFixed(1)} min${last?.heldOutAccuracy != null ? `; class accuracy on the views of the ${c.images.length} held-out training photos ${pct(last.heldOutAccuracy)}` : ''}.`,
    '',
    `Calibrated on ${c.images.length} held-out training photos (4 corners each; never the validation photos): temperature ${c.temperature.toFixed(2)}; ${c.cleanPrior ? `the probabilities are moved from the equal class shares the network was trained on to a prior of ${pct(c.cleanPrior)} undamaged photos (Bayes' rule, fixed by assumption: a photo brought to the app is as likely undamaged as damaged); ` : ''}"no damage" when P(clean) ≥ ${c.noDamageThreshold}. On those crops the most probable degradation is the true one for ${pct(c.heldOut.routing)}, ${pct(c.heldOut.noDamageOnClean)} of the clean crops are left as they are${c.heldOut.leftAloneWhenDamaged !== undefined ? `, and so are ${pct(c.heldOut.leftAloneWhenDamaged)} of the damaged ones` : ''}.${c.descriptorPatches ? ` The router rule's analysis reads the first ${c.descriptorPatches} of the descriptor's planned patches, where the KL rule reads them all (the router's choice does not move with fewer, the KL rule's does: \`npm run study:patch-count\`); the OOD model's distances below were read the same way.` : ''}`,
    '',
    '| Class | Held-out crops right (the network\'s most probable class, equal shares) |',
    '| --- | ---: |',
    ...ROUTER_CLASSES.map((k) => `| ${k === 'clean' ? 'clean' : names(k)} | ${pct(c.heldOut.perClass[k] ?? 0)} |`),
    '',
    'The safe policy for the router\'s routes, from the same held-out crops (a group restores only where it beat the mix baseline on the crops the router sent to it):',
    '',
    '| Group | Routed crops | Group model: gain | Mix baseline: gain | Restores with |',
    '| --- | ---: | ---: | ---: | --- |',
    ...Object.entries(c.policy).map(([id, g]) => `| ${id} | ${g.routed} | ${g.groupGain === null ? '–' : dB(g.groupGain)} | ${g.baselineGain === null ? '–' : dB(g.baselineGain)} | ${g.use === 'group' ? 'the group' : '**mix baseline**'} |`),
    ...(ood ? oodLines(ood, names) : []),
  ];
  if (!validation) return [...out, '', '_The routing protocol has not been run on the validation photos yet (`scripts/routing-validation.ts`)._'];
  const r = validation.protocol.router, k = validation.protocol.kl, o = validation.routerOod;
  out.push(
    '',
    '### Both rules on the validation photos (the routing protocol)',
    '',
    `\`../shared/tools/routing-protocol.ts\` through the CLI (\`grids select\`, \`grids restore\`) on the ${r.crops / 11} validation photos: each photo's 256 px centre crop degraded once by each of the 11 (${r.crops} crops), the clean crops, three pairs of degradations, and the out-of-distribution kinds of src/core/degradations/out-of-distribution.ts. Run by \`scripts/routing-validation.ts\` under each rule (\`GRIDS_RULE\`), ${validation.createdAt.slice(0, 10)}. Nothing was fitted or tuned on these photos.`,
    '',
    '| | KL rule (paper) | Learned router | Target |',
    '| --- | ---: | ---: | --- |',
    ...protocolRows(validation).map((x) => `| ${x.label} | ${x.kl} | ${x.router} |${x.target ? ` ${x.target.threshold}: ${check(x.target.met)} ` : ' '}|`),
    '',
    'Per degradation (routing, and PSNR gain over the input of the automatic choice; the group holding the degradation and the mix baseline for reference):',
    '',
    '| Degradation | KL: routed | KL: automatic | Router: routed | Router: automatic | Right group | Mix baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.keys(r.byDeg).map((id) => {
      const a = k.byDeg[id], b = r.byDeg[id];
      return `| ${names(id)} | ${pct(a.routed)} | ${dB(a.auto - a.pin)} | ${pct(b.routed)} | ${dB(b.auto - b.pin)} | ${dB(b.own - b.pin)} | ${dB(b.base - b.pin)} |`;
    }),
    '',
    'Two degradations at once (PSNR, dB): the automatic choice must do no worse than the mix baseline on average.',
    '',
    '| Pair | Input | KL: automatic | Router: automatic | Mix baseline |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.keys(r.combos).map((pair) => `| ${pair.split('+').map(names).join(' + ')} | ${r.combos[pair].pin.toFixed(2)} | ${k.combos[pair].auto.toFixed(2)} | ${r.combos[pair].auto.toFixed(2)} | ${r.combos[pair].base.toFixed(2)} |`),
    '',
    `Out-of-distribution kinds flagged by the router's badge: ${Object.entries(o.flagged).map(([kind, f]) => `${names(kind)} ${f}`).join(', ')} (AUROC per kind: ${Object.entries(o.aurocPerKind).map(([kind, a]) => `${names(kind)} ${a.toFixed(2)}`).join(', ')}). The OOD model's weights and threshold were fitted on held-out training crops with these same kinds; for kinds it has not seen, the left-out AUROC of the calibration table above is the estimate.${validation.refused?.length ? ` ${validation.refused.length} OOD crops that the analysis refuses (${validation.refused.map((r) => r.split(':')[0]).join(', ')}: "the image looks flat") are left out.` : ''}`,
  );
  return out;
}

/** One line of the routing protocol's table: both rules' figures, and the learned router's target where it has one. */
export interface ProtocolRow {
  label: string;
  kl: string;
  router: string;
  target?: { threshold: string; met: boolean };
}

/**
 * The routing protocol's figures under both rules, in the order §8 prints them; the rows with a target are the
 * shipped rule's targets, which §1 leads with. The learned router's own OOD figures come from its P(OOD)
 * (`routerOod`), the KL rule's from its distance.
 */
export function protocolRows(validation: RoutingValidation): ProtocolRow[] {
  const r = validation.protocol.router, k = validation.protocol.kl, o = validation.routerOod;
  const worst = (s: ProtocolSummary) => Math.min(...Object.values(s.byDeg).map((d) => d.routed));
  const klCleanFlags = k.oodFlagged.clean ? Number(k.oodFlagged.clean.split('/')[0]) / Number(k.oodFlagged.clean.split('/')[1]) : null;
  return [
    { label: 'Group routing (chosen group holds the degradation)', kl: pct(k.routing), router: pct(r.routing), target: { threshold: '≥ 90 %', met: r.routing >= 0.9 } },
    { label: 'Worst degradation\'s routing', kl: pct(worst(k)), router: pct(worst(r)), target: { threshold: '≥ 70 %', met: worst(r) >= 0.7 } },
    { label: 'Automatic choice − mix baseline (dB)', kl: dB(k.autoMinusBaseline), router: dB(r.autoMinusBaseline), target: { threshold: '≥ +1.8', met: r.autoMinusBaseline >= 1.8 } },
    { label: 'Routing regret, best group − automatic (dB)', kl: k.regretAuto.toFixed(2), router: r.regretAuto.toFixed(2), target: { threshold: '≤ 0.3', met: r.regretAuto <= 0.3 } },
    { label: 'Crops worse than their input', kl: pct(k.worseThanInputAuto), router: pct(r.worseThanInputAuto), target: { threshold: '≤ 5 %', met: r.worseThanInputAuto <= 0.05 } },
    { label: 'Automatic choice is the mix baseline', kl: pct(k.autoBaselineShare), router: pct(r.autoBaselineShare) },
    { label: 'Clean crops left as they are ("no damage")', kl: pct(k.clean.keptAsIs), router: pct(r.clean.keptAsIs), target: { threshold: '≥ 90 %', met: r.clean.keptAsIs >= 0.9 } },
    { label: 'Gain prediction, Pearson r', kl: k.gainPredictionR?.toFixed(2) ?? '–', router: r.gainPredictionR?.toFixed(2) ?? '–', target: { threshold: '≥ 0.8', met: (r.gainPredictionR ?? 0) >= 0.8 } },
    { label: 'OOD AUROC against degraded crops (KL: distance; router: P(OOD))', kl: k.oodAurocVsDegraded?.toFixed(3) ?? '–', router: o.aurocVsDegraded.toFixed(3), target: { threshold: '≥ 0.9', met: o.aurocVsDegraded >= 0.9 } },
    { label: 'OOD AUROC against clean crops', kl: k.oodAurocVsClean?.toFixed(3) ?? '–', router: o.aurocVsClean.toFixed(3) },
    { label: 'OOD badge on degraded crops', kl: pct(k.falseOodInDist), router: pct(o.falseFlagsDegraded), target: { threshold: '≤ 10 %', met: o.falseFlagsDegraded <= 0.1 } },
    { label: 'OOD badge on clean crops', kl: klCleanFlags === null ? '–' : pct(klCleanFlags), router: pct(o.falseFlagsClean), target: { threshold: '≤ 10 %', met: o.falseFlagsClean <= 0.1 } },
    {
      label: 'PSNR: input / automatic / mix baseline / best group (dB)',
      kl: [k.psnr.input, k.psnr.auto, k.psnr.baseline, k.psnr.oracle].map((x) => x.toFixed(2)).join(' / '),
      router: [r.psnr.input, r.psnr.auto, r.psnr.baseline, r.psnr.oracle].map((x) => x.toFixed(2)).join(' / '),
    },
  ];
}

/** The OOD model's calibration: its inputs' weights, and how it separates each kind on held-out training crops. */
function oodLines(ood: OodFit, names: (id: string) => string): string[] {
  return [
    '',
    `The OOD warning (src/cli/router/ood.ts): ${ood.description}. P(OOD) = σ(${ood.bias.toFixed(2)} ${signed(ood.energyWeight)}·energy ${signed(ood.distanceWeight)}·distance ${signed(ood.toneWeight)}·tone anomaly (best-fitting class) ${signed(ood.routedToneWeight)}·tone anomaly (router's classes) ${signed(ood.cleanToneWeight)}·tone anomaly (clean)), flagged from ${ood.threshold.toFixed(3)}; it flags ${pct(ood.falseFlags.degraded)} of the degraded and ${pct(ood.falseFlags.clean)} of the clean held-out crops (AUROC ${ood.auroc.toFixed(3)} against all in-distribution crops, ${ood.aurocVsClean.toFixed(3)} against the clean ones).`,
    '',
    '| Kind (held-out training crops) | AUROC | AUROC with the kind left out of the fit | Flagged |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(ood.perKind).map(([kind, k]) => `| ${names(kind)} | ${k.auroc.toFixed(3)} | ${k.aurocLeftOut.toFixed(3)} | ${pct(k.flagged)} |`),
  ];
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'} ${Math.abs(x).toFixed(3)}`;

