// Long real-data input for the single-symbol backtest benchmark: a daily CSV repeated end to
// end until it has enough rows, each copy's dates shifted forward by a whole number of weeks
// past the previous copy, so timestamps keep increasing (and weekdays stay weekdays). Prices
// are the original rows, so every bar is a valid OHLC bar.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The ORCL daily sample: the shared reference copy if present, else the bundled one. */
export function orclDataFile(projectRoot: string): string {
  const shared = join(projectRoot, '..', 'shared', 'data', 'backtrader', 'orcl-1995-2014.txt');
  return existsSync(shared) ? shared : join(projectRoot, 'samples', 'orcl-1995-2014.txt');
}

/** Writes `out` with the rows of `src` repeated until there are at least `minRows`; returns the row count. */
export function writeRepeatedCsv(src: string, out: string, minRows: number): number {
  const lines = readFileSync(src, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]!;
  const rows = lines.slice(1).map((l) => {
    const comma = l.indexOf(',');
    return { ts: Date.parse(`${l.slice(0, comma)}T00:00:00Z`), rest: l.slice(comma) };
  });
  if (rows.length === 0 || rows.some((r) => Number.isNaN(r.ts))) throw new Error(`${src}: expected YYYY-MM-DD dates in the first column`);
  const span = rows[rows.length - 1]!.ts - rows[0]!.ts;
  const shiftPerCopy = (Math.floor(span / WEEK_MS) + 1) * WEEK_MS;
  const copies = Math.ceil(minRows / rows.length);
  const out_: string[] = [header];
  for (let c = 0; c < copies; c++) {
    const shift = c * shiftPerCopy;
    for (const r of rows) out_.push(`${new Date(r.ts + shift).toISOString().slice(0, 10)}${r.rest}`);
  }
  writeFileSync(out, `${out_.join('\n')}\n`);
  return copies * rows.length;
}
