// A small inline-SVG time-series chart: title, y grid with "nice" ticks, calendar ticks on
// x, one polyline, an optional shaded area down to a baseline and one optional labelled marker.
// Presentation sits in SVG attributes rather than the page's CSS so a chart copied out of
// the report still renders. Pure: the same spec always yields the same string.

import { decimalsForStep, escapeHtml } from './format.ts';
import { timeTicks } from './time-ticks.ts';

export interface ChartPoint {
  /** ms since epoch, UTC. */
  readonly x: number;
  readonly y: number;
}

export interface LineChartSpec {
  /** Drawn above the plot and used as the SVG's accessible name. */
  title: string;
  /** At least one point, in x order, finite, already downsampled. */
  points: readonly ChartPoint[];
  /** Formats a y tick label; `step` is the tick spacing (to pick decimals). */
  formatY: (y: number, step: number) => string;
  /** When set, the y range includes it and the area between it and the line is shaded. */
  baseline?: number;
  /** One highlighted point with a label, e.g. the deepest drawdown. */
  marker?: { point: ChartPoint; label: string };
  /** Line colour; default a blue. */
  color?: string;
  /** Default 960. */
  width?: number;
  /** Default 300. */
  height?: number;
}

const MARGIN = { top: 34, right: 24, bottom: 34, left: 88 } as const;
const Y_TICKS = 5;

/** Maps [d0, d1] linearly onto [r0, r1]; a degenerate domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) {
    const mid = (r0 + r1) / 2;
    return () => mid;
  }
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export interface Ticks {
  /** Lowest and highest tick: the axis range, which encloses [min, max]. */
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
}

/**
 * Round tick values (steps of 1, 2 or 5 × 10^k) enclosing [min, max], about `target`
 * intervals. A flat series (min === max) is padded so it still gets a readable axis.
 */
export function niceTicks(min: number, max: number, target: number = Y_TICKS): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`niceTicks needs finite min <= max, got [${min}, ${max}]`);
  }
  if (min === max) {
    const pad = Math.abs(min) * 0.01 || 1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  // k * step rounded to the step's precision avoids 0.30000000000000004-style ticks.
  const precision = decimalsForStep(step) + 2;
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toFixed(precision)));
  return { lo: ticks[0]!, hi: ticks.at(-1)!, step, ticks };
}

/** Smallest and largest of `valueOf` over `items` (a loop: spreading 500k values into Math.min overflows the stack). */
export function extent<T>(items: readonly T[], valueOf: (item: T) => number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const item of items) {
    const v = valueOf(item);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** A coordinate with one decimal: enough for a screen, and keeps 2000-point paths small. */
function c(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Renders the chart as an `<svg>` element string. Throws if there are no points. */
export function svgLineChart(spec: LineChartSpec): string {
  const { points } = spec;
  if (points.length === 0) throw new RangeError('svgLineChart needs at least one point');
  const width = spec.width ?? 960;
  const height = spec.height ?? 300;
  const color = escapeHtml(spec.color ?? '#1f6feb');
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;

  let [yMin, yMax] = extent(points, (p) => p.y);
  if (spec.baseline !== undefined) {
    yMin = Math.min(yMin, spec.baseline);
    yMax = Math.max(yMax, spec.baseline);
  }
  const yTicks = niceTicks(yMin, yMax);
  const x0 = points[0]!.x;
  const x1 = points.at(-1)!.x;
  const sx = linearScale(x0, x1, left, right);
  const sy = linearScale(yTicks.lo, yTicks.hi, bottom, top);
  const title = escapeHtml(spec.title);

  const out: string[] = [];
  out.push(`<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" font-family="system-ui, sans-serif">`);
  out.push(`<title>${title}</title>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="600" fill="#111">${title}</text>`);

  out.push('<g stroke="#e5e7eb" stroke-width="1">');
  for (const t of yTicks.ticks) out.push(`<line x1="${left}" x2="${right}" y1="${c(sy(t))}" y2="${c(sy(t))}"/>`);
  out.push('</g>');

  out.push('<g font-size="11" fill="#555" text-anchor="end">');
  for (const t of yTicks.ticks) out.push(`<text x="${left - 6}" y="${c(sy(t) + 4)}">${escapeHtml(spec.formatY(t, yTicks.step))}</text>`);
  out.push('</g>');

  out.push('<g font-size="11" fill="#555">');
  for (const tick of timeTicks(x0, x1)) {
    const px = sx(tick.ts);
    // Labels near an edge grow inwards so they are not clipped by the viewBox.
    const anchor = px < left + 60 ? 'start' : px > right - 60 ? 'end' : 'middle';
    out.push(`<line x1="${c(px)}" x2="${c(px)}" y1="${bottom}" y2="${bottom + 4}" stroke="#999"/>`);
    out.push(`<text x="${c(px)}" y="${bottom + 18}" text-anchor="${anchor}">${escapeHtml(tick.label)}</text>`);
  }
  out.push('</g>');

  out.push(`<path d="M${left} ${top}V${bottom}H${right}" fill="none" stroke="#999" stroke-width="1"/>`);

  const coords = points.map((p) => `${c(sx(p.x))},${c(sy(p.y))}`).join(' ');
  if (spec.baseline !== undefined && points.length > 1) {
    const base = c(sy(spec.baseline));
    out.push(`<polygon points="${c(sx(x0))},${base} ${coords} ${c(sx(x1))},${base}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
  }
  if (points.length > 1) {
    out.push(`<polyline points="${coords}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`);
  } else {
    out.push(`<circle cx="${c(sx(x0))}" cy="${c(sy(points[0]!.y))}" r="3" fill="${color}"/>`);
  }

  if (spec.marker !== undefined) out.push(markerSvg(spec.marker, sx, sy, { left, right, top }));
  out.push('</svg>');
  return out.join('\n');
}

function markerSvg(
  marker: { point: ChartPoint; label: string },
  sx: (v: number) => number,
  sy: (v: number) => number,
  box: { left: number; right: number; top: number },
): string {
  const cx = sx(marker.point.x);
  const cy = sy(marker.point.y);
  // Label on the side with room: left of the point in the right half, above unless too high.
  const anchor = cx > (box.left + box.right) / 2 ? 'end' : 'start';
  const tx = anchor === 'end' ? cx - 8 : cx + 8;
  const ty = cy - 8 < box.top + 12 ? cy + 16 : cy - 8;
  return (
    `<circle cx="${c(cx)}" cy="${c(cy)}" r="4" fill="none" stroke="#111" stroke-width="1.5"/>` +
    `<text x="${c(tx)}" y="${c(ty)}" font-size="11" fill="#111" text-anchor="${anchor}">${escapeHtml(marker.label)}</text>`
  );
}
