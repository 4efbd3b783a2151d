// Returns of an equity curve by calendar period (UTC months and years): what a monthly
// returns heatmap shows. A period's return compounds from the last value before it (the
// previous period's close; the curve's first value for the first period) to its own last
// value, so the months of a year compound to that year's return.

export interface PeriodReturn {
  /** 'YYYY-MM' for a month, 'YYYY' for a year. */
  period: string;
  year: number;
  /** 1..12 for a month; null for a year. */
  month: number | null;
  /** Percent. */
  returnPct: number;
}

export interface CalendarReturns {
  months: PeriodReturn[];
  years: PeriodReturn[];
}

/** Monthly and yearly returns (percent) of the curve (times ascending, values positive). */
export function calendarReturns(ts: ArrayLike<number>, value: ArrayLike<number>): CalendarReturns {
  return { months: periodReturns(ts, value, 'month'), years: periodReturns(ts, value, 'year') };
}

function periodReturns(ts: ArrayLike<number>, value: ArrayLike<number>, unit: 'month' | 'year'): PeriodReturn[] {
  const out: PeriodReturn[] = [];
  const n = Math.min(ts.length, value.length);
  if (n === 0) return out;
  let base = value[0]!;
  let key = periodKey(ts[0]!, unit);
  for (let i = 1; i <= n; i++) {
    const nextKey = i < n ? periodKey(ts[i]!, unit) : -1;
    if (nextKey === key) continue;
    const close = value[i - 1]!;
    const year = unit === 'month' ? Math.floor(key / 12) : key;
    const month = unit === 'month' ? (key % 12) + 1 : null;
    out.push({
      period: month === null ? String(year) : `${year}-${String(month).padStart(2, '0')}`,
      year,
      month,
      returnPct: base !== 0 ? (close / base - 1) * 100 : 0,
    });
    base = close;
    key = nextKey;
  }
  return out;
}

/** year * 12 + month index for a month, the year for a year (UTC). */
function periodKey(ts: number, unit: 'month' | 'year'): number {
  const d = new Date(ts);
  return unit === 'month' ? d.getUTCFullYear() * 12 + d.getUTCMonth() : d.getUTCFullYear();
}

/** Simple per-bar returns (fractions) of a value series: r[i] = v[i+1] / v[i] − 1. */
export function barReturns(value: ArrayLike<number>): Float64Array {
  const n = value.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) out[i - 1] = value[i - 1]! !== 0 ? value[i]! / value[i - 1]! - 1 : 0;
  return out;
}
