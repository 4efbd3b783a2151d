// Shared helpers for the ING/FEAT/SIG tests: data paths, temp CSVs, a stage context, and
// a tiny pipeline driver (ING -> FEAT -> SIG, one cycle per batch time).
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.ts';
import { SeededRandom } from '../../../src/core/random.ts';
import type { Clock } from '../../../src/core/clock.ts';
import type { RunMode, StageContext, StageName, StageOutputs } from '../../../src/kernel/stage-contract.ts';

export const SHARED = new URL('../../../../shared/', import.meta.url).pathname;
export const BT = join(SHARED, 'data/backtrader');
export const ORCL = join(BT, 'orcl-1995-2014.txt');
export const NVDA = join(BT, 'nvda-1999-2014.txt');
export const YHOO = join(BT, 'yhoo-1996-2014.txt');
export const DAY = join(BT, '2006-day-001.txt');
export const MIN5 = join(BT, '2006-min-005.txt');
export const MIN1 = join(BT, '2006-01-02-volume-min-001.txt');
export const SPY = join(SHARED, 'data/spy/SPY_daily_2005-2025.csv');

export interface RefCase {
  id: string;
  symbols: string[];
  data_files: string[];
  expected: {
    all_fills: [string, string, string, number, number, number, string][];
    indicator_checkpoints: Record<string, Record<string, { first_valid_bar_1based: number; first_valid_date: string; values: Record<string, number> }>>;
  };
  warmup: { first_decision_bar_1based: number; first_decision_date: string };
}

export function refCases(): RefCase[] {
  return JSON.parse(readFileSync(join(SHARED, 'reference/backtest_cases.json'), 'utf8')) as RefCase[];
}

let tmp: string | undefined;
/** Writes `content` to a fresh temp file and returns its path. */
export function tempCsv(name: string, content: string): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'ordinis-ing-'));
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

export const isoDate = (ts: number): string => new Date(ts).toISOString().slice(0, 10);
export const utc = (d: string): number => Date.parse(`${d}T00:00:00Z`);

export function makeCtx(opts: {
  cycleTime: number;
  mode?: RunMode;
  stage?: StageName;
  clock?: Clock;
  data?: Partial<StageOutputs>;
  correlationId?: string;
  attempt?: number;
  cycleIndex?: number;
}): StageContext {
  return {
    correlationId: opts.correlationId ?? 'corr-test',
    traceId: 'trace-test',
    mode: opts.mode ?? 'backtest',
    stage: opts.stage ?? 'ING',
    attempt: opts.attempt ?? 1,
    cycleTime: opts.cycleTime,
    cycleIndex: opts.cycleIndex ?? 0,
    trigger: { kind: 'backtest', at: opts.cycleTime },
    signal: new AbortController().signal,
    aborted: false,
    clock: opts.clock ?? new ManualClock(opts.cycleTime),
    random: new SeededRandom(1),
    kill: { isActive: () => false },
    data: opts.data ?? {},
  };
}
