// What `runs list` and `runs compare` say about a run beyond its row: when it ran by the wall
// clock, and for a backtest what it ran and how it did. A backtest's row holds simulated
// time (its first and last bar), so a backtest over twenty years "lasted" twenty years there;
// the wall clock is the row's recorded_at (written when the run started) and the moment its
// summary artifact was stored (when it finished). Strategy, parameters, symbols, return and
// Sharpe come from that summary; the cycles it ran, by status, too (all of them, not only the
// ones `--cycle-records` kept as rows).

import type { RunRow } from '../../kernel/run-store.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import { toDbError } from '../../persistence/sqlite-errors.ts';

export interface WallClock {
  /** When the run started, by the wall clock (RFC 3339); null when not recorded. */
  startedAt: string | null;
  /** When it finished by the wall clock; null while running or when not known. */
  finishedAt: string | null;
  durationMs: number | null;
}

export interface BacktestFacts {
  strategy: string | null;
  params: Record<string, unknown>;
  symbols: string[];
  totalReturnPct: number | null;
  sharpe: number | null;
  /** Every cycle the backtest ran, by status (from its summary); null before it finished. */
  cycles: Record<string, number> | null;
  /** Simulated time: the first bar and the last cycle's time. */
  period: { from: string; to: string | null };
}

export interface RunFacts {
  wallClock: WallClock;
  /** Null for a cycle. */
  backtest: BacktestFacts | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function durationOf(a: string | null, b: string | null): number | null {
  if (a === null || b === null) return null;
  const d = Date.parse(b) - Date.parse(a);
  return Number.isFinite(d) ? d : null;
}

/** The row's wall-clock insertion time (the start, for a backtest). */
function recordedAt(db: OrdinisDatabase, runId: string): string | null {
  try {
    const v = db.handle.prepare('SELECT recorded_at FROM runs WHERE run_id = ?').pluck().get(runId);
    return typeof v === 'string' ? v : null;
  } catch (e) {
    throw toDbError(e, `read run ${runId}`, { path: db.path });
  }
}

/** A backtest's facts from its summary artifact (the latest, if a retry wrote two). */
export function backtestFacts(row: RunRow, summary: Record<string, unknown> | null): BacktestFacts {
  const strategy = obj(summary?.strategy);
  const kpis = obj(summary?.kpis);
  const cycles = obj(summary?.cycles);
  return {
    strategy: typeof strategy?.id === 'string' ? strategy.id : null,
    params: obj(strategy?.params) ?? {},
    symbols: Array.isArray(summary?.symbols) ? (summary.symbols as unknown[]).map(String) : [],
    totalReturnPct: num(summary?.totalReturnPct),
    sharpe: num(kpis?.sharpe),
    cycles: cycles ? Object.fromEntries(Object.entries(cycles).filter(([, n]) => typeof n === 'number')) as Record<string, number> : null,
    period: { from: row.startedAt, to: row.finishedAt },
  };
}

/** The wall clock of a run and, for a backtest, what it ran and how it did. */
export function runFacts(db: OrdinisDatabase, row: RunRow): RunFacts {
  if (row.kind !== 'backtest') {
    // A live or paper cycle runs on the wall clock: its row's times are the wall clock's. A
    // backtest's cycle runs on bar time: only its recording time is the wall clock's.
    if (row.mode !== 'backtest') return { wallClock: { startedAt: row.startedAt, finishedAt: row.finishedAt, durationMs: durationOf(row.startedAt, row.finishedAt) }, backtest: null };
    return { wallClock: { startedAt: recordedAt(db, row.runId), finishedAt: null, durationMs: null }, backtest: null };
  }
  const artifact = db.runs.listArtifacts(row.runId, 'backtest_summary').at(-1);
  const startedAt = recordedAt(db, row.runId);
  const finishedAt = row.status === 'running' ? null : (artifact?.createdAt ?? null);
  return {
    wallClock: { startedAt, finishedAt, durationMs: durationOf(startedAt, finishedAt) },
    backtest: backtestFacts(row, obj(artifact?.content)),
  };
}

/** Parameters as `k=v k=v`, in the order the strategy reported them. */
export function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
