import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent } from 'react';
import { pixelStore } from '../../state/pixels';
import type { ImageItem } from '../../state/types';
import { actualSizeView, fitView, panBy, wheelFactor, zoomAt, type Size, type View } from './view-transform';

export type Side = 'original' | 'grids' | 'baseline';

const SIDE_LABEL: Record<Side, string> = { original: 'Original', grids: 'GRIDS', baseline: 'Mix baseline' };

function bitmapFor(itemId: string, side: Side): ImageBitmap | undefined {
  return side === 'original' ? pixelStore.source(itemId)?.bitmap : pixelStore.result(itemId, side)?.bitmap;
}

/**
 * Before/after comparison (Squoosh style): two canvases under one zoom and pan, the right one
 * clipped at the split. Wheel or buttons zoom about the cursor/centre, dragging pans, the handle (or
 * its arrow keys) moves the split. Render it with key={item.id} so each image starts fitted.
 */
export function CompareView({ item }: { item: ImageItem }) {
  const available: Side[] = ['original'];
  if (item.restore.grids.status === 'done') available.push('grids');
  if (item.restore.baseline.status === 'done') available.push('baseline');
  const [leftChoice, setLeft] = useState<Side>('original');
  const [rightChoice, setRight] = useState<Side>('grids');
  const left = available.includes(leftChoice) ? leftChoice : 'original';
  const right = available.includes(rightChoice) && rightChoice !== left ? rightChoice : (available.find((s) => s !== left && s !== 'original') ?? null);

  const source = pixelStore.source(item.id);
  const image: Size | null = source ? { width: source.width, height: source.height } : null;

  const stageRef = useRef<HTMLDivElement>(null);
  const [container, setContainer] = useState<Size | null>(null);
  const [view, setView] = useState<View | null>(null);
  const fitted = useRef(true); // refit on resize until the user zooms or pans
  const [split, setSplit] = useState(0.5);

  useLayoutEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      if (width > 0 && height > 0) setContainer({ width, height });
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!container || !image) return;
    if (fitted.current || !view) setView(fitView(container, image));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- refit only when the sizes change
  }, [container?.width, container?.height, image?.width, image?.height]);

  const update = useCallback(
    (next: (current: View) => View, keepFitted = false) => {
      if (!container || !image) return;
      fitted.current = keepFitted;
      setView((current) => (current ? next(current) : current));
    },
    [container, image],
  );

  const zoomCentre = (factor: number) => {
    if (!container || !image) return;
    update((v) => zoomAt(v, factor, container.width / 2, container.height / 2, container, image));
  };
  const fit = () => container && image && update(() => fitView(container, image), true);
  const actualSize = () => container && image && update(() => actualSizeView(container, image));

  // React's onWheel is passive, and the page must not scroll while zooming.
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage || !container || !image) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = stage.getBoundingClientRect();
      const factor = wheelFactor(event.deltaY, event.deltaMode);
      update((v) => zoomAt(v, factor, event.clientX - rect.left, event.clientY - rect.top, container, image));
    };
    stage.addEventListener('wheel', onWheel, { passive: false });
    return () => stage.removeEventListener('wheel', onWheel);
  }, [container, image, update]);

  const drag = useRef<{ kind: 'pan' | 'split'; x: number; y: number; view: View } | null>(null);

  const splitFromPointer = (clientX: number) => {
    const rect = stageRef.current?.getBoundingClientRect();
    if (rect && rect.width > 0) setSplit(Math.max(0, Math.min(1, (clientX - rect.left) / rect.width)));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0 || !view) return;
    const onHandle = (event.target as HTMLElement).closest('.compare-handle');
    drag.current = { kind: onHandle ? 'split' : 'pan', x: event.clientX, y: event.clientY, view };
    event.currentTarget.setPointerCapture(event.pointerId);
    if (onHandle) splitFromPointer(event.clientX);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const current = drag.current;
    if (!current || !container || !image) return;
    if (current.kind === 'split') splitFromPointer(event.clientX);
    else update(() => panBy(current.view, event.clientX - current.x, event.clientY - current.y, container, image));
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const onStageKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget || !container || !image) return;
    const step = 40;
    const actions: Record<string, () => void> = {
      '+': () => zoomCentre(1.25),
      '=': () => zoomCentre(1.25),
      '-': () => zoomCentre(0.8),
      '0': () => fit(),
      '1': () => actualSize(),
      ArrowLeft: () => update((v) => panBy(v, step, 0, container, image)),
      ArrowRight: () => update((v) => panBy(v, -step, 0, container, image)),
      ArrowUp: () => update((v) => panBy(v, 0, step, container, image)),
      ArrowDown: () => update((v) => panBy(v, 0, -step, container, image)),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const onHandleKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    const next: Record<string, number> = {
      ArrowLeft: split - step,
      ArrowDown: split - step,
      ArrowRight: split + step,
      ArrowUp: split + step,
      Home: 0,
      End: 1,
      PageDown: split - 0.1,
      PageUp: split + 0.1,
    };
    if (event.key in next) {
      event.preventDefault();
      event.stopPropagation();
      setSplit(Math.max(0, Math.min(1, next[event.key])));
    }
  };

  const transform = view ? `translate(${view.x}px, ${view.y}px) scale(${view.scale})` : undefined;
  const canvasSize = image ? { width: `${image.width}px`, height: `${image.height}px` } : undefined;
  const percentShown = Math.round(split * 100);

  return (
    <div className="compare" data-testid="compare-view">
      <div
        ref={stageRef}
        className={`compare-stage ${view && view.scale >= 2 ? 'is-pixelated' : ''}`}
        style={{ '--split': `${split * 100}%` } as CSSProperties}
        tabIndex={0}
        role="group"
        aria-label={`${right ? `${SIDE_LABEL[left]} and ${SIDE_LABEL[right]} compared` : SIDE_LABEL[left]}. Plus and minus keys zoom, arrow keys pan, 0 fits, 1 shows actual pixels.`}
        onKeyDown={onStageKey}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        data-testid="compare-stage"
      >
        <div className="compare-layer" data-side={left}>
          <BitmapCanvas bitmap={bitmapFor(item.id, left)} transform={transform} size={canvasSize} testId={left === 'original' ? 'original-canvas' : 'restored-canvas'} side={left} />
        </div>
        {right && (
          <>
            <div className="compare-layer compare-layer-after" data-side={right}>
              <BitmapCanvas bitmap={bitmapFor(item.id, right)} transform={transform} size={canvasSize} testId={right === 'original' ? 'original-canvas' : 'restored-canvas'} side={right} />
            </div>
            <div className="compare-divider" aria-hidden="true" />
            <div
              className="compare-handle"
              role="slider"
              tabIndex={0}
              aria-label="Split between the two images"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percentShown}
              aria-valuetext={`${percentShown}% ${SIDE_LABEL[left]}, ${100 - percentShown}% ${SIDE_LABEL[right]}`}
              onKeyDown={onHandleKey}
              data-testid="compare-slider"
            >
              <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M9 7 L4 12 L9 17 M15 7 L20 12 L15 17" />
              </svg>
            </div>
            <span className="compare-label compare-label-left">{SIDE_LABEL[left]}</span>
            <span className="compare-label compare-label-right">{SIDE_LABEL[right]}</span>
          </>
        )}
      </div>
      <div className="compare-toolbar">
        <div className="zoom-controls" role="group" aria-label="Zoom">
          <button type="button" className="icon-button" onClick={() => zoomCentre(0.8)} aria-label="Zoom out" data-testid="zoom-out">
            <svg viewBox="0 0 16 16" aria-hidden="true">
              <path d="M3 8 H13" />
            </svg>
          </button>
          <output className="zoom-level" data-testid="zoom-level" aria-live="off">
            {view ? `${Math.round(view.scale * 100)}%` : '—'}
          </output>
          <button type="button" className="icon-button" onClick={() => zoomCentre(1.25)} aria-label="Zoom in" data-testid="zoom-in">
            <svg viewBox="0 0 16 16" aria-hidden="true">
              <path d="M3 8 H13 M8 3 V13" />
            </svg>
          </button>
          <button type="button" className="button button-small button-quiet" onClick={fit} data-testid="zoom-fit">
            Fit
          </button>
          <button type="button" className="button button-small button-quiet" onClick={actualSize} data-testid="zoom-actual">
            1:1
          </button>
        </div>
        {available.length > 1 && (
          <div className="side-pickers">
            <SidePicker label="Left" value={left} options={available} onChange={setLeft} testId="compare-left" />
            <SidePicker label="Right" value={right ?? 'original'} options={available} onChange={setRight} testId="compare-right" />
          </div>
        )}
      </div>
    </div>
  );
}

function SidePicker({ label, value, options, onChange, testId }: { label: string; value: Side; options: Side[]; onChange: (side: Side) => void; testId: string }) {
  return (
    <label className="field field-inline">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as Side)} data-testid={testId}>
        {options.map((side) => (
          <option key={side} value={side}>
            {SIDE_LABEL[side]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A canvas holding one bitmap at its own resolution; the CSS transform does the zooming. */
function BitmapCanvas({
  bitmap,
  transform,
  size,
  testId,
  side,
}: {
  bitmap: ImageBitmap | undefined;
  transform: string | undefined;
  size: { width: string; height: string } | undefined;
  testId: string;
  side: Side;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !bitmap) return;
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  }, [bitmap]);
  return (
    <canvas
      ref={ref}
      className="compare-canvas"
      style={{ transform, ...size, visibility: transform ? 'visible' : 'hidden' }}
      data-testid={testId}
      data-side={side}
      data-model={side === 'original' ? undefined : side}
      role="img"
      aria-label={SIDE_LABEL[side]}
    />
  );
}
