// The fast path for the common CSV row: no quotes, the right number of fields, a plain
// `YYYY-MM-DD` date and plain unsigned numbers, all valid. It reads the fields where they are
// in the line reader's text (no split, no substrings) and returns exactly the bar the strict
// parser would; any row it is unsure of, valid or not, gives undefined and goes to the strict
// parser, which alone words the errors.

import type { Bar } from '../../domain/market.ts';
import { DAY_MS, utcMs } from './bar-time.ts';
import type { Layout } from './csv-layout.ts';
import { ohlcBar, ohlcProblem } from './ohlc-bar.ts';

// What each field is to the fast path.
const ROLE_IGNORED = 0;
const ROLE_DATE = 1;
const ROLE_OPEN = 2;
const ROLE_HIGH = 3;
const ROLE_LOW = 4;
const ROLE_CLOSE = 5;
const ROLE_VOLUME = 6;

/** 10^k for k <= 15, each exact in a double. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `s[start..end)` as a number if it is plain, unsigned decimal (`123`, `12.5`, `.5`, `12.`)
 * of at most 15 digits; NaN for anything else (the caller then takes the strict path).
 * The digits make an integer m < 10^15 and the fraction a divisor 10^f, both exact in a
 * double, so the one correctly rounded division m / 10^f is the correctly rounded value of
 * the decimal: bit for bit what Number() gives (Clinger's fast path).
 */
function plainNumber(s: string, start: number, end: number): number {
  let m = 0;
  let digits = 0;
  let point = -1;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0) {
      point = i;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  return point < 0 ? m : m / POW10[end - point - 1]!;
}

/** Two ASCII digits at `s[i]`, or NaN. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/**
 * Plain `YYYY-MM-DD` dates to UTC midnight ms, as utcMs gives them. Rows come a month at a
 * time, so the month's first day and length are kept: a day of the same month is one
 * multiply-add (a UTC day is always DAY_MS long) instead of Date.UTC and a round trip.
 */
class PlainDates {
  private month = -1; // y * 100 + mo of the kept month
  private monthMs = 0;
  private monthDays = 0;

  /** `s[start..end)` as ms if it is exactly a valid `YYYY-MM-DD`; NaN for anything else (strict path). */
  ms(s: string, start: number, end: number): number {
    if (end - start !== 10 || s.charCodeAt(start + 4) !== 45 || s.charCodeAt(start + 7) !== 45) return Number.NaN;
    const y = digits2(s, start) * 100 + digits2(s, start + 2);
    const mo = digits2(s, start + 5);
    const d = digits2(s, start + 8);
    if (Number.isNaN(y + mo + d)) return Number.NaN;
    if (y * 100 + mo !== this.month && !this.keepMonth(y, mo)) return Number.NaN;
    return d >= 1 && d <= this.monthDays ? this.monthMs + (d - 1) * DAY_MS : Number.NaN;
  }

  /** Keeps month `mo` of year `y`; false if utcMs refuses its first day (month out of range, two-digit year). */
  private keepMonth(y: number, mo: number): boolean {
    const first = utcMs(y, mo, 1, 0, 0, 0, 0);
    if (first === undefined) return false;
    this.month = y * 100 + mo;
    this.monthMs = first;
    // Day 0 of the next month is this month's last day.
    this.monthDays = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return true;
  }
}

/** Reads the plain rows of one file's layout. */
export class PlainRowParser {
  private readonly roles: Uint8Array;
  private readonly dates = new PlainDates();

  private constructor(
    layout: Layout,
    private readonly symbol: string,
    private readonly ohlcTolerance: number,
  ) {
    const roles = new Uint8Array(layout.nFields).fill(ROLE_IGNORED);
    roles[layout.date] = ROLE_DATE;
    roles[layout.open] = ROLE_OPEN;
    roles[layout.high] = ROLE_HIGH;
    roles[layout.low] = ROLE_LOW;
    roles[layout.close] = ROLE_CLOSE;
    if (layout.volume >= 0) roles[layout.volume] = ROLE_VOLUME;
    this.roles = roles;
  }

  /** The fast path for a layout, or undefined when only the strict path applies (it knows dates alone, not a time column). */
  static of(layout: Layout, symbol: string, ohlcTolerance: number): PlainRowParser | undefined {
    return layout.time < 0 ? new PlainRowParser(layout, symbol, ohlcTolerance) : undefined;
  }

  /** The row `text[lineStart..lineEnd)` (quote-free) as a bar, or undefined when it is not plain or not valid. */
  parse(text: string, lineStart: number, lineEnd: number): Bar | undefined {
    const roles = this.roles;
    let ts = Number.NaN;
    let open = Number.NaN;
    let high = Number.NaN;
    let low = Number.NaN;
    let close = Number.NaN;
    let volume = 0;
    const last = roles.length - 1;
    let start = lineStart;
    for (let k = 0; k <= last; k++) {
      let comma = text.indexOf(',', start);
      if (comma >= lineEnd) comma = -1;
      // Exactly one comma between fields and none after the last.
      if (k < last ? comma < 0 : comma >= 0) return undefined;
      const end = k < last ? comma : lineEnd;
      switch (roles[k]) {
        case ROLE_DATE:
          ts = this.dates.ms(text, start, end);
          break;
        case ROLE_OPEN:
          open = plainNumber(text, start, end);
          break;
        case ROLE_HIGH:
          high = plainNumber(text, start, end);
          break;
        case ROLE_LOW:
          low = plainNumber(text, start, end);
          break;
        case ROLE_CLOSE:
          close = plainNumber(text, start, end);
          break;
        case ROLE_VOLUME:
          volume = plainNumber(text, start, end);
          break;
      }
      start = end + 1;
    }
    // NaN (not plain) fails every comparison; a plain number is >= 0, so only a zero price is left to refuse.
    if (!(ts === ts && open > 0 && high > 0 && low > 0 && close > 0 && volume >= 0)) return undefined;
    if (ohlcProblem(open, high, low, close, this.ohlcTolerance) !== undefined) return undefined;
    return ohlcBar(this.symbol, ts, open, high, low, close, volume);
  }
}
