import { describe, expect, it } from 'vitest';
import { niceTicks, scatterSvg, stripPlotSvg } from './charts-svg';
import { assertWellFormedXml } from './xml-well-formed';

/** Attributes of every element with this tag (and class, when given), in document order. */
function elements(svg: string, tag: string, cls?: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))]
    .map((m) => Object.fromEntries([...m[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])))
    .filter((a) => cls === undefined || a.class === cls);
}

const near = (actual: string | undefined, expected: number) => expect(Number(actual)).toBeCloseTo(expected, 1);

describe('the well-formedness check used below', () => {
  it('rejects broken XML and accepts good XML', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg><text>a & b</text></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg a="1" a="2"/>')).toThrow();
    expect(() => assertWellFormedXml('<svg x=1/>')).toThrow();
    expect(() => assertWellFormedXml('<svg/><svg/>')).toThrow();
    expect(() => assertWellFormedXml('<svg/>tail')).toThrow();
    expect(() => assertWellFormedXml('<svg><g a="1"><!-- c --><text>a &amp; b &gt; c</text></g><rect/></svg>')).not.toThrow();
  });
});

describe('scatterSvg', () => {
  // Plot area: x from 20 to 190 (170 px), y from 10 to 80 (70 px).
  const layout = { width: 200, height: 100, margin: { left: 20, right: 10, top: 10, bottom: 20 } };

  it('puts each point where its data coordinates map in the plot area', () => {
    const svg = scatterSvg([{ x: 5, y: 2.5 }, { x: 0, y: 0 }, { x: 10, y: 5 }, { x: 2, y: 4 }], {
      title: 't', xLabel: 'x', yLabel: 'y', xDomain: [0, 10], yDomain: [0, 5], ...layout,
    });
    assertWellFormedXml(svg);
    const points = elements(svg, 'circle', 'point');
    expect(points).toHaveLength(4);
    const expected = [[105, 45], [20, 80], [190, 10], [54, 24]];
    points.forEach((p, i) => {
      near(p.cx, expected[i][0]);
      near(p.cy, expected[i][1]);
    });
  });

  it('draws y = x through the points where x equals y, and the fit line through its own values', () => {
    const svg = scatterSvg([{ x: 3, y: 3 }], {
      title: 't', xLabel: 'x', yLabel: 'y', xDomain: [0, 10], yDomain: [2, 8], identityLine: true, fitLine: { slope: 0.5, intercept: 2 }, ...layout,
    });
    assertWellFormedXml(svg);
    const [identity] = elements(svg, 'line', 'identity');
    // From (2, 2) to (8, 8): x at 20 + 0.2·170 and 20 + 0.8·170; y at the bottom and the top.
    near(identity.x1, 54); near(identity.y1, 80); near(identity.x2, 156); near(identity.y2, 10);
    const [fit] = elements(svg, 'line', 'fit');
    // y = 2 + 0.5x: (0, 2) at the bottom left, (10, 7) at 5/6 of the height.
    near(fit.x1, 20); near(fit.y1, 80); near(fit.x2, 190); near(fit.y2, 80 - (5 / 6) * 70);
  });

  it('without domains keeps every point inside the plot, in order, and with y = x shares the scale', () => {
    const data = [{ x: -1, y: 2 }, { x: 0.5, y: 0.5 }, { x: 3, y: -2 }];
    const svg = scatterSvg(data, { title: 't', xLabel: 'x', yLabel: 'y', identityLine: true, ...layout });
    assertWellFormedXml(svg);
    const points = elements(svg, 'circle', 'point').map((p) => ({ cx: Number(p.cx), cy: Number(p.cy) }));
    for (const p of points) {
      expect(p.cx).toBeGreaterThan(20); expect(p.cx).toBeLessThan(190);
      expect(p.cy).toBeGreaterThan(10); expect(p.cy).toBeLessThan(80);
    }
    expect(points[0].cx).toBeLessThan(points[1].cx);
    expect(points[1].cx).toBeLessThan(points[2].cx);
    expect(points[2].cy).toBeGreaterThan(points[1].cy); // lower y is drawn lower
    // (0.5, 0.5) lies on y = x: collinear with the identity line's end points.
    const [l] = elements(svg, 'line', 'identity').map((a) => [a.x1, a.y1, a.x2, a.y2].map(Number));
    const cross = (l[2] - l[0]) * (points[1].cy - l[1]) - (l[3] - l[1]) * (points[1].cx - l[0]);
    expect(Math.abs(cross)).toBeLessThan(2);
  });

  it('escapes labels and stays well-formed without data', () => {
    const svg = scatterSvg([{ x: 1, y: 2, label: 'a < b & "c"', series: 'g<1>' }, { x: 2, y: 1, series: 'g&2' }], { title: 'A & B <c>', xLabel: '"x"', yLabel: 'y > 0' });
    assertWellFormedXml(svg);
    expect(svg).toContain('A &amp; B &lt;c&gt;');
    expect(svg).toContain('g&lt;1&gt;');
    assertWellFormedXml(scatterSvg([], { title: 'empty', xLabel: 'x', yLabel: 'y', identityLine: true }));
  });
});

describe('stripPlotSvg', () => {
  // Plot area: x from 50 to 250 (200 px); rows of 40 px from y = 20.
  const layout = { width: 300, rowHeight: 40, margin: { left: 50, right: 50, top: 20, bottom: 30 }, xDomain: [0, 5] as [number, number] };

  it('puts each value at its x in its own row, with the threshold and medians where they belong', () => {
    const svg = stripPlotSvg([{ label: 'in', values: [1, 2, 3] }, { label: 'haze & fog', values: [4] }], {
      title: 'distances', xLabel: 'd', threshold: { value: 2.5 }, ...layout,
    });
    assertWellFormedXml(svg);
    const points = elements(svg, 'circle', 'point');
    expect(points).toHaveLength(4);
    [90, 130, 170, 210].forEach((x, i) => near(points[i].cx, x));
    const rowCentres = [40, 40, 40, 80];
    points.forEach((p, i) => expect(Math.abs(Number(p.cy) - rowCentres[i])).toBeLessThanOrEqual(0.3 * 40 + 0.01));
    const [threshold] = elements(svg, 'line', 'threshold');
    near(threshold.x1, 150); near(threshold.x2, 150); near(threshold.y1, 20); near(threshold.y2, 100);
    const medians = elements(svg, 'line', 'median');
    near(medians[0].x1, 130); // median of 1, 2, 3
    near(medians[1].x1, 210);
    expect(svg).toContain('haze &amp; fog (n = 1)');
  });

  it('includes the threshold in the default domain, and survives an empty category', () => {
    const svg = stripPlotSvg([{ label: 'a', values: [1, 2] }, { label: 'empty', values: [] }], { title: 't', xLabel: 'd', threshold: { value: 10 } });
    assertWellFormedXml(svg);
    const [threshold] = elements(svg, 'line', 'threshold');
    const points = elements(svg, 'circle', 'point');
    expect(Number(threshold.x1)).toBeGreaterThan(Number(points[1].cx));
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(Number(threshold.x1)).toBeLessThan(width);
  });
});

describe('niceTicks', () => {
  it('gives round steps inside the range', () => {
    expect(niceTicks(0, 1).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(2.86, 4.81).values).toEqual([3, 3.5, 4, 4.5]);
    expect(niceTicks(-13, 27).values).toEqual([-10, 0, 10, 20]);
  });
});
