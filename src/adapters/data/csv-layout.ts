// The column layout of one OHLCV CSV file, settled by its header and its first data row.
//
// Header: column names are case-insensitive (`Open`/`open`), surrounding spaces and quotes are
// ignored; required: a date column (`Date`, `Datetime` or `Timestamp`) and `Open`, `High`,
// `Low`, `Close`; optional `Time` and `Volume` (`Vol`); anything else (`Adj Close`,
// `OpenInterest`, ...) is ignored.
//
// The quirk of backtrader's `2006-01-02-volume-min-001.txt`: the header lacks `Time` but every
// row carries one after the date. Detected on the first data row (one field more than the
// header, the second field a time of day) and then required of every row.

import { TIME_RE } from './bar-time.ts';

export type ColumnKey = 'date' | 'time' | 'open' | 'high' | 'low' | 'close' | 'volume';

const COLUMN_ALIASES: Record<string, ColumnKey> = {
  date: 'date',
  datetime: 'date',
  timestamp: 'date',
  time: 'time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  vol: 'volume',
};

function columnKey(name: string): ColumnKey | undefined {
  return Object.prototype.hasOwnProperty.call(COLUMN_ALIASES, name) ? COLUMN_ALIASES[name] : undefined;
}

/** Where each field of a data row is. */
export interface Layout {
  nFields: number;
  date: number;
  time: number; // -1: none
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number; // -1: none
}

/** The header's fields as column names (trimmed, lower case). */
export function headerColumns(fields: readonly string[]): string[] {
  return fields.map((c) => c.trim().toLowerCase());
}

/** What is wrong with a header's columns (a column named twice, a required one missing), or undefined. */
export function headerProblem(cols: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const c of cols) {
    const key = columnKey(c);
    if (key === undefined) continue;
    if (seen.has(key)) return `header names the '${key}' column twice (columns: ${cols.join(',')})`;
    seen.add(key);
  }
  for (const need of ['date', 'open', 'high', 'low', 'close']) {
    if (!seen.has(need)) return `header lacks a '${need}' column (columns: ${cols.join(',')})`;
  }
  return undefined;
}

/** The layout of a file with header `cols` whose first data row has `fields` (the missing-`Time` quirk). */
export function settleLayout(cols: readonly string[], fields: readonly string[]): Layout {
  const idx = (want: ColumnKey): number => cols.findIndex((c) => columnKey(c) === want);
  const date = idx('date');
  let time = idx('time');
  let shift = 0;
  if (time < 0 && fields.length === cols.length + 1 && TIME_RE.test((fields[date + 1] ?? '').trim())) {
    time = date + 1;
    shift = 1;
  }
  const at = (i: number): number => (i < 0 ? -1 : i > date ? i + shift : i);
  return {
    nFields: cols.length + shift,
    date,
    time,
    open: at(idx('open')),
    high: at(idx('high')),
    low: at(idx('low')),
    close: at(idx('close')),
    volume: at(idx('volume')),
  };
}
