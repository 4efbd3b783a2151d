// A sweep's parameter space (pure): `--grid key=from:to:step` or `--grid key=a,b,c` flags
// become one ordered value list per key; the grid is their cartesian product, enumerated in
// a fixed order (the first key varies slowest), and random search draws distinct points of
// that product from a seeded source. A point's index in the grid is what identifies it, so a
// sweep's points are the same whatever runs them and in whatever order they finish.

import { OrdinisError } from '../../errors.ts';
import { SeededRandom } from '../../core/random.ts';

/** A parameter value as a strategy pack's schema receives it: a number, or text it coerces. */
export type ParamValue = number | string;

/** One swept parameter and its values, in the order given. */
export interface ParamAxis {
  key: string;
  values: ParamValue[];
}

/** One point of the space: its index in the full grid and the parameters there. */
export interface SweepPoint {
  index: number;
  params: Record<string, ParamValue>;
}

/** The most points one sweep may hold (grid product, or samples): the table, the plan and the results stay in memory. */
export const MAX_SWEEP_POINTS = 1_000_000;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;

const bad = (flag: string, message: string): never => {
  throw new OrdinisError('E_CFG_INVALID', `--grid ${JSON.stringify(flag)}: ${message}`, { details: { flag: '--grid', value: flag } });
};

/** A value as typed: plain decimal text becomes a number (as `--fast 10` does), anything else stays text. */
function valueOf(text: string): ParamValue {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : t;
}

/**
 * The digits after the point of a decimal text, so `0.1:0.5:0.1` yields 0.1, 0.2, ... exactly
 * as typed rather than 0.30000000000000004: each value is from + i*step rounded to that many.
 */
function decimals(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** One `--grid` flag as an axis. A range `from:to:step` includes `to` when a step lands on it. */
export function parseAxis(flag: string): ParamAxis {
  const eq = flag.indexOf('=');
  const key = eq < 0 ? '' : flag.slice(0, eq).trim();
  if (key === '') bad(flag, 'expected key=from:to:step or key=a,b,c (e.g. --grid fast=5:50:5)');
  const spec = flag.slice(eq + 1).trim();
  if (spec.includes(':')) {
    const parts = spec.split(':').map((p) => p.trim());
    if (parts.length !== 3 || !parts.every((p) => DECIMAL.test(p))) bad(flag, 'a range is from:to:step, three decimal numbers');
    const [from, to, step] = parts.map(Number) as [number, number, number];
    if (!(step > 0)) bad(flag, 'the step must be > 0');
    if (to < from) bad(flag, `the range ends (${to}) before it starts (${from})`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_SWEEP_POINTS) bad(flag, `${count} values; at most ${MAX_SWEEP_POINTS}`);
    const places = Math.max(...parts.map(decimals));
    const values = Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(places)));
    return { key, values };
  }
  const items = spec.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) bad(flag, 'a list is comma-separated values, none empty');
  const values = items.map(valueOf);
  if (new Set(values.map(String)).size !== values.length) bad(flag, 'a value is listed twice');
  return { key, values };
}

/** Every `--grid` flag as axes; a key may be swept once. */
export function parseAxes(flags: readonly string[]): ParamAxis[] {
  if (flags.length === 0) throw new OrdinisError('E_CFG_INVALID', 'a sweep needs at least one --grid key=from:to:step or key=a,b,c');
  const axes = flags.map(parseAxis);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.key)) throw new OrdinisError('E_CFG_INVALID', `--grid ${a.key} given twice`, { details: { flag: '--grid', key: a.key } });
    seen.add(a.key);
  }
  gridSize(axes);
  return axes;
}

/** How many points the grid has; E_CFG_INVALID past MAX_SWEEP_POINTS. */
export function gridSize(axes: readonly ParamAxis[]): number {
  let n = 1;
  for (const a of axes) {
    n *= a.values.length;
    if (n > MAX_SWEEP_POINTS) throw new OrdinisError('E_CFG_INVALID', `the grid has more than ${MAX_SWEEP_POINTS} points; narrow a --grid or use --samples N`);
  }
  return n;
}

/** The point at `index` of the grid: mixed radix, the last axis varying fastest. */
export function pointAt(axes: readonly ParamAxis[], index: number): SweepPoint {
  const params: Record<string, ParamValue> = {};
  let rest = index;
  for (let i = axes.length - 1; i >= 0; i--) {
    const a = axes[i]!;
    params[a.key] = a.values[rest % a.values.length]!;
    rest = Math.floor(rest / a.values.length);
  }
  // Keys in the order the axes were given, whatever order they were filled in.
  const ordered: Record<string, ParamValue> = {};
  for (const a of axes) ordered[a.key] = params[a.key]!;
  return { index, params: ordered };
}

/** Every point of the grid, in index order. */
export function gridPoints(axes: readonly ParamAxis[]): SweepPoint[] {
  return Array.from({ length: gridSize(axes) }, (_, i) => pointAt(axes, i));
}

/**
 * Random search: `samples` distinct points of the grid drawn with `seed`, in the order drawn
 * (all of them, in index order, when the grid has no more). The same seed draws the same points.
 */
export function samplePoints(axes: readonly ParamAxis[], samples: number, seed: number): SweepPoint[] {
  const size = gridSize(axes);
  if (samples >= size) return gridPoints(axes);
  const random = new SeededRandom(seed);
  const drawn = new Set<number>();
  const out: SweepPoint[] = [];
  // Rejection: at most half the grid is wanted on average before a repeat is likely, and the
  // set holds only what is drawn, so a huge grid costs nothing.
  while (out.length < samples) {
    const i = Math.floor(random.next() * size);
    if (drawn.has(i)) continue;
    drawn.add(i);
    out.push(pointAt(axes, i));
  }
  return out;
}
