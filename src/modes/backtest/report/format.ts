// Text formatting for the HTML report. Every function is pure and locale-free: the report
// must be byte-identical for the same input on any machine, so we do not use
// toLocaleString/Intl (their output depends on the ICU build and the host locale).

/** Shown wherever a value is missing (null, NaN, unparseable timestamp). */
export const DASH = '—';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Fixed decimals with a comma every three integer digits: 1234567.891 → "1,234,567.89". */
export function formatNumber(value: number, decimals: number): string {
  if (Number.isNaN(value)) return DASH;
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  const fixed = Math.abs(value).toFixed(decimals);
  const [int, frac] = fixed.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // "-0.00" helps nobody: a sign is shown only when the rounded value is non-zero.
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return sign + grouped + (frac === undefined ? '' : `.${frac}`);
}

/** Money: always two decimals. */
export function formatMoney(value: number): string {
  return formatNumber(value, 2);
}

/**
 * Prices: two decimals, four below 1.00 so sub-dollar (e.g. split-adjusted) prices keep
 * their meaningful digits.
 */
export function formatPrice(value: number): string {
  return formatNumber(value, Math.abs(value) < 1 && value !== 0 ? 4 : 2);
}

/**
 * A value already in percent (12.5 means 12.5%). Two decimals; four when two would round
 * a non-zero value to 0.00, so a tiny figure is not mistaken for zero.
 */
export function formatPct(value: number): string {
  const decimals = value !== 0 && Math.abs(value) < 0.005 ? 4 : 2;
  return `${formatNumber(value, decimals)}%`;
}

/** Quantities: integers grouped, fractions (crypto, FX) up to six decimals, trailing zeros cut. */
export function formatQty(value: number): string {
  if (Number.isInteger(value)) return formatNumber(value, 0);
  const text = formatNumber(value, 6);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Decimals needed to print multiples of `step` (a 1/2/5 × 10^k axis step) exactly. */
export function decimalsForStep(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.min(20, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}

/** How much of a UTC timestamp to show. */
export type TimePrecision = 'year' | 'month' | 'day' | 'minute' | 'second';

const ISO_LENGTH: Record<TimePrecision, number> = { year: 4, month: 7, day: 10, minute: 16, second: 19 };

/** A UTC timestamp cut to `precision`: "2006", "2006-01", "2006-01-02", "2006-01-02 09:05", "2006-01-02 09:05:07". */
export function formatUtc(ts: number, precision: TimePrecision): string {
  if (!Number.isFinite(ts)) return DASH;
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return DASH; // beyond ±8.64e15 ms
  return d.toISOString().slice(0, ISO_LENGTH[precision]).replace('T', ' ');
}

/**
 * A UTC timestamp for tables: the date alone when it is exactly midnight (daily bars),
 * otherwise date and time, with seconds only when they are non-zero.
 */
export function formatTimestamp(ts: number): string {
  if (!Number.isFinite(ts)) return DASH;
  const ms = ((ts % 86_400_000) + 86_400_000) % 86_400_000;
  return formatUtc(ts, ms === 0 ? 'day' : ms % 60_000 === 0 ? 'minute' : 'second');
}

/** A strategy parameter value for display: JSON where possible, plain text otherwise. */
export function formatParamValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // BigInt or a cycle: fall through to String().
  }
  return String(value);
}
