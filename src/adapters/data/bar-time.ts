// Bar times in OHLCV CSV files: dates `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`, optionally with
// a time (`YYYY-MM-DD HH:MM[:SS[.fff]]`, `T` separator, optional `Z`), and separate times
// `HH:MM[:SS[.fff]]`. Every timestamp is UTC (a date alone is UTC midnight).

import { OrdinisError } from '../../errors.ts';

export const DAY_MS = 86_400_000;

// Groups: 1 year, 3 month, 4 day, 5 hour, 6 minute, 7 second, 8 fraction (2 is the separator).
export const DATE_RE = /^(\d{4})([-/]?)(\d{2})\2(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?[Zz]?)?$/;
// Groups: 1 hour, 2 minute, 3 second, 4 fraction.
export const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/**
 * `YYYY-MM-DD` -> UTC midnight in ms, or undefined if not a valid calendar date.
 * Also accepts `YYYY/MM/DD` and `YYYYMMDD`.
 */
export function parseIsoDate(s: string): number | undefined {
  const m = DATE_RE.exec(s.trim());
  if (!m || m[5] !== undefined) return undefined;
  return utcMs(+m[1]!, +m[3]!, +m[4]!, 0, 0, 0, 0);
}

/** A calendar instant (UTC) as ms, or undefined if any part is out of range or the day does not exist. */
export function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Every month has a 28th, and Date.UTC takes years from 100 on as they are: only a later
  // day (or a two-digit year, which Date.UTC reads as 19xx) can fail the round trip.
  if (d <= 28 && y >= 100) return t;
  // Date.UTC rolls 2006-02-30 over to March: a round trip catches impossible dates.
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t;
}

/** The fraction digits of a time as whole milliseconds. */
export function fractionMs(f: string | undefined): number {
  // Milliseconds are the first three digits (truncated, no float arithmetic).
  return f ? Number(`${f}00`.slice(0, 3)) : 0;
}

/** A date bound (`YYYY-MM-DD`) as ms; throws E_CFG_INVALID naming the option otherwise. */
export function dateBoundMs(value: string, what: string): number {
  const t = parseIsoDate(value);
  if (t === undefined) throw new OrdinisError('E_CFG_INVALID', `${what} must be a date YYYY-MM-DD, got '${value}'`);
  return t;
}
