// Time-axis ticks on calendar boundaries (whole minutes, hours, UTC midnights, month and
// year starts) so a label such as "2020-03" sits exactly where March begins, rather than
// at an arbitrary instant that merely falls on that day.

import { formatUtc, type TimePrecision } from './format.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const AVG_MONTH = 30.436875 * DAY;

/**
 * How many labels of each kind fit side by side on the report's ~850px plot at 11px:
 * "2006" is short, "2006-01-02 09:05" is not.
 */
const MAX_TICKS: Record<TimePrecision, number> = { year: 12, month: 10, day: 8, minute: 6, second: 5 };

interface Step {
  /** Approximate length in ms (exact for fixed steps). */
  ms: number;
  precision: TimePrecision;
  /** Tick instants in [x0, x1]. */
  within: (x0: number, x1: number) => number[];
}

/**
 * A fixed-length step; multiples of it from the epoch (plus `offset`) fall on UTC
 * boundaries. Weeks take an offset of four days: the epoch was a Thursday, ticks go on Mondays.
 */
function fixedStep(ms: number, offset = 0): Step {
  return {
    ms,
    precision: ms < MINUTE ? 'second' : ms < DAY ? 'minute' : 'day',
    within: (x0, x1) => {
      const out: number[] = [];
      for (let t = Math.ceil((x0 - offset) / ms) * ms + offset; t <= x1; t += ms) out.push(t);
      return out;
    },
  };
}

/** Every `months` months, on the first of the month (UTC), aligned to month index 0 (Jan of year 0). */
function monthStep(months: number): Step {
  const monthStart = (index: number): number => Date.UTC(Math.floor(index / 12), ((index % 12) + 12) % 12, 1);
  return {
    ms: months * AVG_MONTH,
    precision: months >= 12 ? 'year' : 'month',
    within: (x0, x1) => {
      const d = new Date(x0);
      let k = Math.ceil((d.getUTCFullYear() * 12 + d.getUTCMonth()) / months) * months;
      if (monthStart(k) < x0) k += months;
      const out: number[] = [];
      for (; monthStart(k) <= x1; k += months) out.push(monthStart(k));
      return out;
    },
  };
}

/** From finest to coarsest. */
const STEPS: readonly Step[] = [
  ...[1, 2, 5, 10, 15, 30].map((s) => fixedStep(s * SECOND)),
  ...[1, 2, 5, 10, 15, 30].map((m) => fixedStep(m * MINUTE)),
  ...[1, 2, 3, 6, 12].map((h) => fixedStep(h * HOUR)),
  fixedStep(DAY),
  fixedStep(2 * DAY),
  fixedStep(7 * DAY, 4 * DAY),
  fixedStep(14 * DAY, 4 * DAY),
  ...[1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200].map(monthStep),
];

export interface TimeTick {
  ts: number;
  label: string;
}

/**
 * Ticks on round UTC boundaries within [x0, x1]: the finest step whose labels still fit
 * (see MAX_TICKS). When no boundary or only one falls inside the span, the two ends are
 * labelled instead; a zero span gets a single tick.
 */
export function timeTicks(x0: number, x1: number): TimeTick[] {
  const span = x1 - x0;
  if (!(span > 0)) return [{ ts: x0, label: formatUtc(x0, 'minute') }];
  for (const step of STEPS) {
    const max = MAX_TICKS[step.precision];
    if (span / step.ms > max + 1) continue; // far too many: skip without generating them
    const ts = step.within(x0, x1);
    if (ts.length > max) continue;
    if (ts.length < 2) break;
    return ts.map((t) => ({ ts: t, label: formatUtc(t, step.precision) }));
  }
  const precision: TimePrecision = span < MINUTE ? 'second' : span < 3 * DAY ? 'minute' : 'day';
  return [
    { ts: x0, label: formatUtc(x0, precision) },
    { ts: x1, label: formatUtc(x1, precision) },
  ];
}
