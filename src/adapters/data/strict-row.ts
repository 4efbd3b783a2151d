// The strict, careful path for a CSV row: any row the plain parser is unsure of comes here.
// Quoted fields go through csv-parse (quoting and escaping); every field is trimmed and
// checked, and a bad row is described (field, value, why) for the bad-row policy.
//
// A row is bad for: a wrong field count, an unparsable date or time, an empty, non-numeric
// or non-finite number, a price <= 0, High < Low, High < max(Open, Close), Low >
// min(Open, Close), a negative volume. (A timestamp not after the previous row's is the
// reader's to refuse: it needs the rows before.)
//
// The bad-row policy: `fail` rejects the file at the first bad row (E_ING_NORMALIZE_FAILED
// naming the file, the 1-based line, the field and the value); `skip` drops the row and
// records `{line, reason}`.

import { parse as parseCsv } from 'csv-parse/sync';
import { OrdinisError } from '../../errors.ts';
import type { Bar } from '../../domain/market.ts';
import { DATE_RE, TIME_RE, fractionMs, utcMs } from './bar-time.ts';
import type { Layout } from './csv-layout.ts';
import { ohlcBar, ohlcProblem, type RowProblem } from './ohlc-bar.ts';

export type BadRowPolicy = 'fail' | 'skip';

export interface SkippedRow {
  /** 1-based physical line number in the file (the header is line 1). */
  line: number;
  reason: string;
}

const NUM_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Splits one CSV line. Plain lines (no quote, the data files' case) take a split on ','; a
 * line with quotes goes through csv-parse, which knows quoting and escaping. A malformed
 * quoted line throws csv-parse's error; callers turn it into a rejected row.
 */
export function splitFields(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const rows = parseCsv(line, { relax_column_count: true, skip_empty_lines: false }) as string[][];
  return rows[0] ?? [''];
}

/** The fields of a data row as a bar of `symbol`, or what is wrong with them. */
export function strictRow(fields: readonly string[], L: Layout, symbol: string, ohlcTolerance: number): Bar | RowProblem {
  if (fields.length !== L.nFields) {
    return { reason: `expected ${L.nFields} fields, found ${fields.length}` };
  }
  const ts = timestamp(fields, L);
  if (typeof ts !== 'number') return ts;
  const open = price(fields, L.open, 'open');
  if (typeof open !== 'number') return open;
  const rawHigh = price(fields, L.high, 'high');
  if (typeof rawHigh !== 'number') return rawHigh;
  const rawLow = price(fields, L.low, 'low');
  if (typeof rawLow !== 'number') return rawLow;
  const close = price(fields, L.close, 'close');
  if (typeof close !== 'number') return close;
  const problem = ohlcProblem(open, rawHigh, rawLow, close, ohlcTolerance);
  if (problem !== undefined) return problem;
  let volume = 0;
  if (L.volume >= 0) {
    const v = num(fields, L.volume, 'volume');
    if (typeof v !== 'number') return v;
    if (v < 0) return { reason: `field 'volume' value '${fields[L.volume]!.trim()}' is negative`, field: 'volume', value: fields[L.volume]!.trim() };
    volume = v;
  }
  return ohlcBar(symbol, ts, open, rawHigh, rawLow, close, volume);
}

/** The error of a row rejected under the `fail` policy. */
export function badRowError(file: string, line: number, symbol: string, p: RowProblem): OrdinisError {
  return new OrdinisError('E_ING_NORMALIZE_FAILED', `${file}:${line}: ${p.reason}`, {
    details: { file, line, symbol, ...(p.field ? { field: p.field } : {}), ...(p.value !== undefined ? { value: p.value } : {}) },
  });
}

function num(fields: readonly string[], i: number, name: string): number | RowProblem {
  const raw = fields[i]!.trim();
  if (raw === '') return { reason: `field '${name}' is empty`, field: name, value: raw };
  if (!NUM_RE.test(raw)) return { reason: `field '${name}' value '${raw}' is not a finite number`, field: name, value: raw };
  const v = Number(raw);
  if (!Number.isFinite(v)) return { reason: `field '${name}' value '${raw}' is not finite`, field: name, value: raw };
  return v;
}

/** A price field: a finite number > 0. */
function price(fields: readonly string[], i: number, name: 'open' | 'high' | 'low' | 'close'): number | RowProblem {
  const v = num(fields, i, name);
  if (typeof v !== 'number') return v;
  if (v <= 0) return { reason: `field '${name}' value '${fields[i]!.trim()}' must be > 0`, field: name, value: fields[i]!.trim() };
  return v;
}

function timestamp(fields: readonly string[], L: Layout): number | RowProblem {
  const rawDate = fields[L.date]!.trim();
  const m = DATE_RE.exec(rawDate);
  if (!m) return badDate(rawDate);
  let h = 0;
  let mi = 0;
  let s = 0;
  let ms = 0;
  if (m[5] !== undefined) {
    h = +m[5];
    mi = +m[6]!;
    s = m[7] !== undefined ? +m[7] : 0;
    ms = fractionMs(m[8]);
  }
  if (L.time >= 0) {
    const rawTime = fields[L.time]!.trim();
    const t = TIME_RE.exec(rawTime);
    if (!t || m[5] !== undefined) return { reason: `field 'time' value '${rawTime}' is not a valid time HH:MM[:SS]`, field: 'time', value: rawTime };
    h = +t[1]!;
    mi = +t[2]!;
    s = t[3] !== undefined ? +t[3] : 0;
    ms = fractionMs(t[4]);
    if (h > 23 || mi > 59 || s > 59) return { reason: `field 'time' value '${rawTime}' is not a valid time HH:MM[:SS]`, field: 'time', value: rawTime };
  }
  const ts = utcMs(+m[1]!, +m[3]!, +m[4]!, h, mi, s, ms);
  return ts === undefined ? badDate(rawDate) : ts;
}

function badDate(rawDate: string): RowProblem {
  return { reason: `field 'date' value '${rawDate}' is not a valid date`, field: 'date', value: rawDate };
}
