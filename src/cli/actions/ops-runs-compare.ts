// `ordinis runs compare A B`: two runs side by side, read only. What they ran (strategy,
// parameters, symbols, bars), how they did (return, Sharpe, drawdown, trades, ...), when and
// how long by the wall clock, and every setting of their configuration snapshots that differs
// (the settings they share are counted, not listed). A row whose values differ is marked, so
// "what changed between these two runs" is the marked rows.

import type { Command } from 'commander';
import { NONE, cell, formatDuration, formatTime, renderTable, writeJson, writeText } from '../render.ts';
import { openForReading, opsContext, withDb, type DbFlags } from './ops-common.ts';
import { barTime, runDetail, type RunDetail } from './ops-runs.ts';
import { statusLabel } from '../../kernel/run-liveness.ts';

interface CompareFlags extends DbFlags {
  json?: boolean;
}

export interface CompareRow {
  /** `section: field`, e.g. "result: sharpe", "config: RISK_MAX_DRAWDOWN". */
  field: string;
  a: string;
  b: string;
  same: boolean;
}

export interface RunComparison {
  a: string;
  b: string;
  rows: CompareRow[];
  /** Settings of the two snapshots with the same value (not listed as rows). */
  sameSettings: number;
}

export function compareRunsCommand(a: string, b: string, flags: CompareFlags, cmd: Command): void {
  const ctx = opsContext(flags, cmd);
  withDb(openForReading(ctx), (db) => {
    const comparison = compareRuns(runDetail(db, a), runDetail(db, b));
    if (flags.json) writeJson(comparison);
    else writeText(formatComparison(comparison));
  });
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const fixed = (v: unknown, suffix = ''): string => (num(v) === null ? NONE : `${num(v)!.toFixed(2)}${suffix}`);
const count = (v: unknown): string => (num(v) === null ? NONE : String(num(v)));
const text = (v: unknown): string => (v === undefined || v === null ? NONE : typeof v === 'string' ? v : JSON.stringify(v));

/** The facts of one run as `field → value`, in display order. */
function sideOf(d: RunDetail): Map<string, string> {
  const r = d.run;
  const s = obj(d.summary);
  const k = obj(s.kpis);
  const w = d.facts.wallClock;
  const bt = d.facts.backtest;
  const out = new Map<string, string>([
    ['run: kind', r.kind],
    ['run: mode', r.mode],
    ['run: status', statusLabel(r)],
    ['run: started (wall clock)', w.startedAt ? formatTime(w.startedAt) : NONE],
    ['run: duration (wall clock)', w.durationMs !== null ? formatDuration(w.durationMs) : NONE],
    ['run: code', `${r.codeVersion} @ ${r.commitHash.slice(0, 12)}`],
  ]);
  if (bt) {
    out.set('strategy: id', bt.strategy ?? NONE);
    for (const [key, v] of Object.entries(bt.params)) out.set(`strategy: ${key}`, text(v));
    out.set('data: symbols', bt.symbols.join(',') || NONE);
    out.set('data: bars', `${barTime(bt.period.from)} → ${bt.period.to ? barTime(bt.period.to) : NONE}`);
    out.set('data: bar count', count(s.bars));
  }
  if (d.summary) {
    out.set('result: return', fixed(s.totalReturnPct, '%'));
    out.set('result: annualized return', fixed(k.annualizedReturnPct, '%'));
    out.set('result: sharpe', fixed(k.sharpe));
    out.set('result: sortino', fixed(k.sortino));
    out.set('result: max drawdown', fixed(s.maxDrawdownPct, '%'));
    out.set('result: volatility', fixed(k.volatilityPct, '%'));
    out.set('result: win rate', fixed(k.winRatePct, '%'));
    out.set('result: profit factor', fixed(k.profitFactor));
    out.set('result: trades', count(s.trades));
    out.set('result: orders', count(s.orders));
    out.set('result: rejected', count(s.ordersRejected));
    out.set('result: final value', fixed(s.finalValue));
    out.set('result: commission', fixed(s.totalCommission));
  }
  return out;
}

/** A snapshot flattened one level: `backtest.<key>` and `<KEY>` of its config. */
function settingsOf(d: RunDetail): Map<string, string> {
  const snap = d.configSnapshot?.config;
  const out = new Map<string, string>();
  if (!snap) return out;
  for (const [key, v] of Object.entries(obj(snap.backtest))) out.set(`backtest.${key}`, text(v));
  for (const [key, v] of Object.entries(obj(snap.config))) out.set(key, text(v));
  return out;
}

/** The two runs' rows side by side (a field only one side has shows "—" on the other), and their differing settings. */
export function compareRuns(a: RunDetail, b: RunDetail): RunComparison {
  const rows: CompareRow[] = [];
  const pair = (field: string, x: string | undefined, y: string | undefined): void => {
    const av = x ?? NONE;
    const bv = y ?? NONE;
    rows.push({ field, a: av, b: bv, same: av === bv });
  };
  const sa = sideOf(a);
  const sb = sideOf(b);
  for (const field of union(sa, sb)) pair(field, sa.get(field), sb.get(field));
  const ca = settingsOf(a);
  const cb = settingsOf(b);
  let sameSettings = 0;
  for (const key of [...union(ca, cb)].sort()) {
    if (ca.get(key) === cb.get(key)) sameSettings++;
    else pair(`config: ${key}`, ca.get(key), cb.get(key));
  }
  return { a: a.run.runId, b: b.run.runId, rows, sameSettings };
}

/** Keys of `x` in order, then those only `y` has, in its order. */
function union(x: Map<string, string>, y: Map<string, string>): string[] {
  return [...x.keys(), ...[...y.keys()].filter((k) => !x.has(k))];
}

function formatComparison(c: RunComparison): string {
  const table = renderTable(
    [{ header: '' }, { header: 'FIELD' }, { header: cell(c.a) }, { header: cell(c.b) }],
    c.rows.map((r) => [r.same ? '' : '≠', cell(r.field), cell(r.a), cell(r.b)]),
  );
  const differ = c.rows.filter((r) => !r.same).length;
  return `${table}\n≠ marks the ${differ} rows that differ; ${c.sameSettings} configuration settings are the same in both (not listed)\n`;
}
