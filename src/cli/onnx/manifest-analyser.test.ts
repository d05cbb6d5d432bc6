import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseImage, descriptorPatchesFor, routerOnPatches } from '../../core/analysis';
import { ddrStatisticFromGram, symmetrisedGram } from '../../core/ddr';
import type { FeatureExtractor } from '../../core/ddr-protocol';
import { degrade } from '../../core/degradations/registry';
import { generateTestScene } from '../../core/degradations/test-scenes';
import { parseManifest } from '../../core/manifest';
import { createFeatureExtractor } from './descriptor';
import { manifestSession } from './manifest-analyser';
import { ortCentredGram, ortRouter } from './ort-node';

// The shipped models: the router rule reads a prefix of the descriptor's planned patches, the KL rule all of them.
const root = 'public/models';
const manifest = parseManifest(JSON.parse(readFileSync(`${root}/manifest.json`, 'utf8')));

/** The real descriptor, keeping every feature row it returns. */
function recordingExtractor(extract: FeatureExtractor) {
  let batches: Float32Array[] = [];
  let cols = 0;
  const run: FeatureExtractor = async (patches) => {
    const out = await extract(patches);
    batches.push(Float32Array.from(out.rows));
    cols = out.cols;
    return out;
  };
  const take = () => {
    const rows = new Float32Array(batches.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of batches) {
      rows.set(b, at);
      at += b.length;
    }
    batches = [];
    return { rows, cols };
  };
  return { run, take };
}

describe('the analysis under each rule, with the shipped models', () => {
  it('the router rule reads the first router.descriptorPatches of the KL rule\'s patches, and its statistic is theirs', async () => {
    const full = manifest.descriptor.input.patchCount;
    const prefix = descriptorPatchesFor(manifest, 'router');
    expect(descriptorPatchesFor(manifest, 'kl')).toBe(full);
    // The shipped router reads fewer patches than the KL rule (otherwise there is nothing to check here).
    expect(prefix).toBeLessThan(full);

    const extract = recordingExtractor(createFeatureExtractor(await manifestSession(manifest, root, manifest.descriptor.file), manifest.descriptor.layer));
    const router = routerOnPatches(ortRouter(await manifestSession(manifest, root, manifest.router!.file)));
    const gram = ortCentredGram();
    const image = degrade(generateTestScene({ width: 128, height: 96, seed: 3 }), 'gaussian_noise', 11).image;

    const kl = await analyseImage(image, manifest, extract.run, { gram, router, rule: 'kl' });
    const klRows = extract.take();
    const byRouter = await analyseImage(image, manifest, extract.run, { gram, router, rule: 'router' });
    const routerRows = extract.take();

    expect(kl.statistic.patches).toBe(full);
    expect(kl.automatic.rule).toBe('kl');
    expect(byRouter.statistic.patches).toBe(prefix);
    expect(byRouter.automatic.rule).toBe('router');
    // The same patches in the same order: the router rule's feature rows are the first rows of the KL rule's.
    expect(routerRows.cols).toBe(klRows.cols);
    expect(routerRows.rows.length).toBe(prefix * klRows.cols);
    expect(routerRows.rows).toEqual(klRows.rows.subarray(0, prefix * klRows.cols));
    // Its DDR statistic is the protocol's on those rows, computed apart.
    const rows = klRows.rows.subarray(0, prefix * klRows.cols);
    const expected = ddrStatisticFromGram(symmetrisedGram(await gram(rows, prefix, klRows.cols), prefix), prefix, { k: manifest.descriptor.pca.k, trimSigmas: manifest.descriptor.trimSigmas });
    expect(byRouter.statistic.ggd).toEqual(expected.ggd);
    // The router reads the photo itself, not the descriptor: its input is the same under both rules.
    expect(byRouter.routerInput).toEqual(kl.routerInput);
  }, 60_000);
});
