/**
 * Readable axes for the accuracy-vs-length plot (pure). One run that collapsed (accuracy near 0, often with
 * near-empty answers) would stretch both axes to 0 and squash every other run into a corner, so the scale
 * domains come from the points that did not collapse, padded; a collapsed point is still drawn, clamped to
 * the edge of the plot, and its label carries its real values.
 */

/** A point below this share of the best accuracy counts as collapsed. */
export const COLLAPSED_SHARE = 0.1;
/** Padding on each side of a domain, as a share of its span. */
const PAD_SHARE = 0.08;
/** The accuracy axis spans at least this many points, and the length axis this share of the longest. */
const MIN_ACC_SPAN = 10;
const MIN_LENGTH_SHARE = 0.1;

export interface PlotPoint {
  /** Mean length in tokens. */
  length: number;
  /** Accuracy in %. */
  acc: number;
}

export interface ParetoAxes {
  /** Length domain (tokens). */
  x: [number, number];
  /** Accuracy domain (%), inside [0, 100]. */
  y: [number, number];
  /** Whether a point lies outside the domains (it is drawn clamped to their edge). */
  offScale(p: PlotPoint): boolean;
}

/**
 * [min, max] of `values` widened by PAD_SHARE of the span (by 1 when they are all equal), then to at least
 * `minSpan` around its middle, kept inside [lo, hi], rounded outwards to one decimal.
 */
export function paddedDomain(
  values: readonly number[],
  lo = -Infinity,
  hi = Infinity,
  minSpan = 0,
): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = max > min ? PAD_SHARE * (max - min) : 1;
  let a = Math.max(lo, min - pad);
  let b = Math.min(hi, max + pad);
  if (b - a < minSpan) {
    // Centred on the data, shifted back inside [lo, hi] where it sticks out.
    a = (min + max - minSpan) / 2;
    b = a + minSpan;
    if (a < lo) [a, b] = [lo, b + lo - a];
    if (b > hi) [a, b] = [Math.max(lo, a - (b - hi)), hi];
  }
  // toFixed first, so float noise (87.19999...) does not round a whole step outwards
  const tenths = (v: number) => Number((v * 10).toFixed(6));
  return [Math.floor(tenths(a)) / 10, Math.ceil(tenths(b)) / 10];
}

/** Domains fitted to the points that did not collapse (the best point never does). */
export function paretoAxes(points: readonly PlotPoint[]): ParetoAxes {
  if (points.length === 0) return { x: [0, 1], y: [0, 100], offScale: () => false };
  const best = Math.max(...points.map((p) => p.acc));
  const kept = points.filter((p) => p.acc >= COLLAPSED_SHARE * best);
  const lengths = kept.map((p) => p.length);
  // Small differences are not blown up to the full plot: the spans have a floor.
  const x = paddedDomain(lengths, 0, Infinity, MIN_LENGTH_SHARE * Math.max(...lengths));
  const y = paddedDomain(
    kept.map((p) => p.acc),
    0,
    100,
    MIN_ACC_SPAN,
  );
  const offScale = (p: PlotPoint) => p.length < x[0] || p.length > x[1] || p.acc < y[0] || p.acc > y[1];
  return { x, y, offScale };
}

export interface TextPlacement {
  align: 'left' | 'right';
  /** Horizontal offset from the point in px. */
  dx: number;
  /** How many texts sit below this one at the same clamped spot (each lifts it one line). */
  stack: number;
}

/**
 * Where each point's text goes: right of the point unless it would run past `width` (about 6 px a
 * character), then left; texts whose points are clamped to the same spot stack upwards.
 */
export function placeTexts<T extends PlotPoint & { text: string }>(
  texts: readonly T[],
  axes: ParetoAxes,
  width: number,
): (T & TextPlacement)[] {
  const clamp = (v: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, v));
  const seen = new Map<string, number>();
  return texts.map((t) => {
    const at = (clamp(t.length, axes.x) - axes.x[0]) / (axes.x[1] - axes.x[0]);
    const right = at * width + 7 + 6 * t.text.length <= width;
    const spot = `${clamp(t.length, axes.x)},${clamp(t.acc, axes.y)}`;
    const stack = axes.offScale(t) ? (seen.get(spot) ?? 0) : 0;
    if (axes.offScale(t)) seen.set(spot, stack + 1);
    return { ...t, align: right ? 'left' : 'right', dx: right ? 7 : -7, stack };
  });
}
