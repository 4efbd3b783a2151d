// Walk-forward windows (pure): spans like `2y`, `6m`, `90d`, and the in-sample /
// out-of-sample date windows they cut from the data's first to last date. Rolling windows
// move the in-sample start by the step; anchored ones keep it at the first date and grow.
// Dates are UTC calendar days, YYYY-MM-DD, inclusive, as --from and --to take them.

import { OrdinisError } from '../../errors.ts';

export interface Span {
  n: number;
  unit: 'y' | 'm' | 'd';
}

export interface WalkForwardWindow {
  /** 0, 1, 2, ... in date order. */
  index: number;
  inSample: { from: string; to: string };
  outOfSample: { from: string; to: string };
}

const DAY = 86_400_000;

/** `--in-sample 2y` and the like: a whole number of years, months or days. */
export function parseSpan(flag: string, raw: string): Span {
  const m = /^\s*(\d{1,4})\s*([ymd])\s*$/.exec(raw);
  if (!m || Number(m[1]) === 0) throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(raw)}: expected a length like 2y, 6m or 90d (years, months, days; > 0)`, { details: { flag, value: raw } });
  return { n: Number(m[1]), unit: m[2] as Span['unit'] };
}

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const msOf = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/** `date` plus `times` spans; a month end stays in its month (Jan 31 + 1m = Feb 28/29). */
export function addSpan(date: string, span: Span, times = 1): string {
  const ms = msOf(date);
  if (span.unit === 'd') return dateOf(ms + span.n * times * DAY);
  const d = new Date(ms);
  const months = (span.unit === 'y' ? 12 : 1) * span.n * times;
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return dateOf(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
}

const dayBefore = (date: string): string => dateOf(msOf(date) - DAY);

/**
 * The windows from `first` to `last` (the data's dates): window k's in-sample starts at
 * first + k*step (rolling) or at first (anchored, ending k steps later), and its out-of-sample
 * follows it. The last out-of-sample window may be cut short by `last`; windows whose
 * out-of-sample would start after `last` are not made. E_CFG_INVALID if not even one fits.
 */
export function walkForwardWindows(first: string, last: string, o: { inSample: Span; outOfSample: Span; step: Span; anchored: boolean }): WalkForwardWindow[] {
  const out: WalkForwardWindow[] = [];
  for (let k = 0; k < 10_000; k++) {
    const isFrom = o.anchored ? first : addSpan(first, o.step, k);
    const isEnd = o.anchored ? addSpan(addSpan(first, o.inSample), o.step, k) : addSpan(isFrom, o.inSample);
    const oosFrom = isEnd;
    if (oosFrom > last) break;
    const oosEnd = dayBefore(addSpan(oosFrom, o.outOfSample));
    out.push({ index: k, inSample: { from: isFrom, to: dayBefore(isEnd) }, outOfSample: { from: oosFrom, to: oosEnd < last ? oosEnd : last } });
  }
  if (out.length === 0) {
    throw new OrdinisError('E_CFG_INVALID', `the data (${first} to ${last}) is too short for one walk-forward window (--in-sample ${o.inSample.n}${o.inSample.unit} then --out-of-sample)`, { details: { first, last } });
  }
  return out;
}
