// `ordinis runs list` and `ordinis runs show <runId>`: the run history in the database, read
// only. `list` gives each run's wall-clock start and duration and, for a backtest, its
// strategy, parameters, symbols, return and Sharpe, with its cycles on a line beneath it
// (ops-runs-facts.ts). `show` gives the run's configuration, a cycle's stage timeline (from its
// cycle_result artifact, read the same way as GET /runs/:id) and a backtest's summary and its
// cycles counted by status. A run
// still 'running' whose owner process is gone is shown as stale (`running (stale)`, and
// `stale: true` in JSON); only start-up recovery changes its row.

import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { cycleTimeline, type CycleTimeline } from '../../kernel/cycle-timeline.ts';
import type { RunRow, RunStatus } from '../../kernel/run-store.ts';
import { statusLabel, viewRun, type RunView } from '../../kernel/run-liveness.ts';
import { systemProcessTable } from '../../core/process-identity.ts';
import type { OrdinisDatabase } from '../../persistence/database.ts';
import { toDbError } from '../../persistence/sqlite-errors.ts';
import {
  NONE,
  cell,
  durationBetween,
  formatDuration,
  formatMoney,
  formatMs,
  formatPct,
  formatTime,
  plural,
  renderFields,
  renderTable,
  writeJson,
  writeText,
} from '../render.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, RUN_KINDS, RUN_STATUSES } from '../commands/ops-runs.ts';
import { openForReading, opsContext, withDb, type DbFlags } from './ops-common.ts';
import { paramsText, runFacts, type RunFacts } from './ops-runs-facts.ts';
import { CONFIG_DEFAULTS } from '../../config/schema.ts';

interface ListFlags extends DbFlags {
  limit?: string;
  status?: string;
  kind?: string;
  all?: boolean;
  parent?: string;
  json?: boolean;
}

interface ShowFlags extends DbFlags {
  json?: boolean;
}

export function listRunsCommand(flags: ListFlags, cmd: Command): void {
  const q = parseListFlags(flags);
  const ctx = opsContext(flags, cmd);
  withDb(openForReading(ctx), (db) => {
    const rows = db.runs
      .listRuns({
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.parentRunId !== undefined ? { parentRunId: q.parentRunId } : {}),
      })
      .map((r) => ({ ...viewRun(r, systemProcessTable), ...runFacts(db, r) }));
    if (flags.json) writeJson({ runs: rows, limit: q.limit });
    else writeText(formatRunList(rows, q, (id) => childCounts(db, id).total));
  });
}

export function showRunCommand(runId: string, flags: ShowFlags, cmd: Command): void {
  const ctx = opsContext(flags, cmd);
  withDb(openForReading(ctx), (db) => {
    const detail = runDetail(db, runId);
    if (flags.json) writeJson(detail);
    else writeText(formatRunDetail(detail));
  });
}

// ---------------------------------------------------------------------------------------
// list

export interface ListQuery {
  limit: number;
  status?: RunStatus;
  kind?: RunRow['kind'];
  /** undefined: every run; null: top-level runs; a run id: that backtest's cycles. */
  parentRunId?: string | null;
}

const oneOf = (values: Record<string, true>): string => `expected one of ${Object.keys(values).join(', ')}`;

export function parseListFlags(f: ListFlags): ListQuery {
  const raw = f.limit ?? String(DEFAULT_LIST_LIMIT);
  const limit = /^\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIST_LIMIT)) {
    throw new OrdinisError('E_CFG_INVALID', `--limit ${JSON.stringify(raw)}: expected an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  if (f.status !== undefined && !Object.prototype.hasOwnProperty.call(RUN_STATUSES, f.status)) {
    throw new OrdinisError('E_CFG_INVALID', `--status ${JSON.stringify(f.status)}: ${oneOf(RUN_STATUSES)}`);
  }
  if (f.kind !== undefined && !Object.prototype.hasOwnProperty.call(RUN_KINDS, f.kind)) {
    throw new OrdinisError('E_CFG_INVALID', `--kind ${JSON.stringify(f.kind)}: ${oneOf(RUN_KINDS)}`);
  }
  if (f.all && f.parent !== undefined) throw new OrdinisError('E_CFG_INVALID', 'give --all or --parent, not both');
  if (f.parent !== undefined && f.parent.trim() === '') throw new OrdinisError('E_CFG_INVALID', '--parent must not be empty');
  return {
    limit,
    ...(f.status !== undefined ? { status: f.status as RunStatus } : {}),
    ...(f.kind !== undefined ? { kind: f.kind as RunRow['kind'] } : {}),
    parentRunId: f.parent !== undefined ? f.parent : f.all ? undefined : null,
  };
}

type ListedRun = RunView & RunFacts;

const formatReturn = (x: number | null): string => (x === null ? NONE : `${x.toFixed(2)}%`);
const formatRatio = (x: number | null): string => (x === null ? NONE : x.toFixed(2));

/** The line beneath a backtest: every cycle it ran by status, over which bars, and how many are stored as rows. */
function cyclesLine(r: ListedRun, recorded: number): string {
  const b = r.backtest!;
  const total = b.cycles ? Object.values(b.cycles).reduce((x, y) => x + y, 0) : null;
  const byStatus = b.cycles ? Object.entries(b.cycles).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') : '';
  const ran = total === null ? 'cycles: not finished' : `${plural(total, 'cycle')}${byStatus ? ` (${byStatus})` : ''}`;
  const period = `bars ${barTime(b.period.from)} → ${b.period.to ? barTime(b.period.to) : NONE}`;
  const rows = recorded > 0 ? `; ${recorded} stored: runs list --parent ${cell(r.runId)}` : '';
  return `  └ ${ran}, ${period}${rows}`;
}

function formatRunList(rows: readonly ListedRun[], q: ListQuery, recordedCycles: (runId: string) => number): string {
  const scope = q.parentRunId === null ? 'top-level runs' : q.parentRunId === undefined ? 'runs' : `cycles of ${cell(q.parentRunId)}`;
  const filters = [q.status ? `status ${q.status}` : '', q.kind ? `kind ${q.kind}` : ''].filter(Boolean).join(', ');
  if (rows.length === 0) return `no ${scope}${filters ? ` with ${filters}` : ''}\n`;
  const withParent = q.parentRunId === undefined && rows.some((r) => r.parentRunId !== null);
  const table = renderTable(
    [
      { header: 'RUN ID' },
      { header: 'KIND' },
      { header: 'MODE' },
      { header: 'STATUS' },
      { header: 'STARTED' },
      { header: 'DURATION', align: 'right' },
      ...(withParent ? [{ header: 'PARENT' }] : []),
      { header: 'STRATEGY' },
      { header: 'PARAMS' },
      { header: 'SYMBOLS' },
      { header: 'RETURN', align: 'right' },
      { header: 'SHARPE', align: 'right' },
      { header: 'ERRORS' },
    ],
    rows.map((r) => [
      cell(r.runId),
      cell(r.kind),
      cell(r.mode),
      cell(statusLabel(r)),
      r.wallClock.startedAt ? formatTime(r.wallClock.startedAt) : NONE,
      r.wallClock.durationMs !== null ? formatDuration(r.wallClock.durationMs) : r.status === 'running' ? 'running' : NONE,
      ...(withParent ? [cell(r.parentRunId)] : []),
      r.backtest ? cell(r.backtest.strategy) : NONE,
      r.backtest && Object.keys(r.backtest.params).length ? cell(paramsText(r.backtest.params)) : NONE,
      r.backtest && r.backtest.symbols.length ? cell(r.backtest.symbols.join(',')) : NONE,
      r.backtest ? formatReturn(r.backtest.totalReturnPct) : NONE,
      r.backtest ? formatRatio(r.backtest.sharpe) : NONE,
      r.errorCodes.length ? cell(r.errorCodes.join(',')) : NONE,
    ]),
  );
  // A backtest's cycles beneath its row.
  const [head, ...body] = table.trimEnd().split('\n');
  const lines = [head!];
  body.forEach((line, i) => {
    lines.push(line);
    const r = rows[i]!;
    if (r.backtest) lines.push(cyclesLine(r, recordedCycles(r.runId)));
  });
  const notes = [`${plural(rows.length, q.parentRunId === null || q.parentRunId === undefined ? 'run' : 'cycle')} (${scope}${filters ? `, ${filters}` : ''}, newest first)`];
  if (rows.length === q.limit) notes.push(`more may exist: raise --limit (max ${MAX_LIST_LIMIT})`);
  if (q.parentRunId === null) notes.push("backtests' cycles hidden: --all or --parent RUN_ID");
  if (rows.some((r) => r.stale)) notes.push('stale: still marked running, but the process that ran it is gone (the next `ordinis paper` start marks it aborted)');
  notes.push('STARTED and DURATION by the wall clock (a backtest\'s bars are beneath it)');
  return `${lines.join('\n')}\n\n${notes.join('; ')}\n`;
}

// ---------------------------------------------------------------------------------------
// show

export interface RunDetail {
  run: RunView;
  /** The stored, redacted configuration snapshot: its reference and content (null content when only the ref is on the row). */
  configSnapshot: { ref: string; createdAt: string | null; config: Record<string, unknown> | null } | null;
  /** A cycle run's stage timeline; null for a backtest or when none was stored. */
  cycle: CycleTimeline | null;
  cycleUnreadable?: string;
  /** A backtest's summary artifact (its result without the fills); null for a cycle. */
  summary: Record<string, unknown> | null;
  summaryUnreadable?: string;
  /** A backtest's cycles stored as rows, by status; null for a cycle. */
  children: { total: number; byStatus: Partial<Record<RunStatus, number>> } | null;
  /** The wall clock of the run and, for a backtest, what it ran (ops-runs-facts.ts). */
  facts: RunFacts;
}

export function runDetail(db: OrdinisDatabase, runId: string): RunDetail {
  const row = db.runs.getRun(runId);
  if (!row) throw new OrdinisError('E_API_NOT_FOUND', `no run with id ${JSON.stringify(runId.slice(0, 200))} in ${db.path}`);
  const run = viewRun(row, systemProcessTable);
  const snap = db.runs.getConfigSnapshot(runId);
  const { cycle, unreadable } = cycleTimeline(db.runs.listArtifacts(runId, 'cycle_result'));

  let summary: Record<string, unknown> | null = null;
  let summaryUnreadable: string | undefined;
  let children: RunDetail['children'] = null;
  if (run.kind === 'backtest') {
    const artifact = db.runs.listArtifacts(runId, 'backtest_summary').at(-1);
    if (artifact) {
      const c = artifact.content;
      if (c !== null && typeof c === 'object' && !Array.isArray(c)) summary = c as Record<string, unknown>;
      else summaryUnreadable = `backtest_summary artifact ${artifact.id} is not an object`;
    }
    children = childCounts(db, runId);
  }
  return {
    run,
    configSnapshot: snap
      ? { ref: snap.ref, createdAt: snap.createdAt, config: snap.config }
      : run.configSnapshotRef
        ? { ref: run.configSnapshotRef, createdAt: null, config: null }
        : null,
    cycle,
    ...(unreadable ? { cycleUnreadable: unreadable } : {}),
    summary,
    ...(summaryUnreadable ? { summaryUnreadable } : {}),
    children,
    facts: runFacts(db, row),
  };
}

/** Counted in SQL: a long backtest has more cycles than listRuns will return. */
function childCounts(db: OrdinisDatabase, runId: string): NonNullable<RunDetail['children']> {
  let rows: { status: RunStatus; n: number }[];
  try {
    rows = db.handle
      .prepare('SELECT status, COUNT(*) AS n FROM runs WHERE parent_run_id = ? GROUP BY status ORDER BY status')
      .all(runId) as { status: RunStatus; n: number }[];
  } catch (e) {
    throw toDbError(e, `count cycles of run ${runId}`, { path: db.path });
  }
  const byStatus: Partial<Record<RunStatus, number>> = {};
  let total = 0;
  for (const r of rows) {
    byStatus[r.status] = r.n;
    total += r.n;
  }
  return { total, byStatus };
}

function formatRunDetail(d: RunDetail): string {
  const r = d.run;
  const fields: [string, string][] = [
    ['run', cell(r.runId)],
    ['kind', cell(r.kind)],
    ['mode', cell(r.mode)],
    ['status', cell(statusLabel(r))],
    ...timeFields(d),
    ['errors', r.errorCodes.length ? cell(r.errorCodes.join(', ')) : NONE],
  ];
  if (r.abortReason !== null) fields.push(['abort reason', cell(r.abortReason)]);
  fields.push(['owner', r.owner ? `pid ${r.owner.pid} on ${cell(r.owner.host)}${r.owner.startedAt ? `  (started ${cell(r.owner.startedAt)})` : ''}` : NONE]);
  if (r.stale) fields.push(['stale', 'the owner process is gone: this run will not finish; the next `ordinis paper` start marks it aborted']);
  if (r.parentRunId !== null) fields.push(['parent', cell(r.parentRunId)]);
  fields.push(['config', d.configSnapshot ? `${cell(d.configSnapshot.ref)}${d.configSnapshot.createdAt ? `  (stored ${formatTime(d.configSnapshot.createdAt)})` : ''}` : NONE]);
  fields.push(['code', `${cell(r.codeVersion)} @ ${cell(r.commitHash)}`]);
  const parts = [renderFields(fields)];
  if (d.configSnapshot?.config) parts.push(formatConfiguration(d.configSnapshot.config));

  if (d.cycle) parts.push(formatCycle(d.cycle));
  else if (d.cycleUnreadable) parts.push(`cycle: ${cell(d.cycleUnreadable)}\n`);
  else if (r.kind === 'cycle') parts.push('cycle: no cycle_result stored for this run\n');

  if (r.kind === 'backtest') {
    if (d.summary) parts.push(formatSummary(d.summary));
    else parts.push(`summary: ${d.summaryUnreadable ? cell(d.summaryUnreadable) : 'no backtest_summary stored (the backtest did not finish)'}\n`);
    if (d.children) {
      const counts = Object.entries(d.children.byStatus).map(([s, n]) => `${s} ${n}`).join(', ');
      // Every cycle the backtest ran (its summary), then those stored as rows (--cycle-records).
      const ran = d.facts.backtest?.cycles;
      const ranText = ran ? `${Object.values(ran).reduce((x, y) => x + y, 0)} run (${Object.entries(ran).filter(([, n]) => n > 0).map(([st, n]) => `${st} ${n}`).join(', ')}); ` : '';
      parts.push(renderFields([['cycles', `${ranText}${d.children.total} stored as rows${counts ? ` (${counts})` : ''}`]]));
    }
  }
  return parts.join('\n');
}

/**
 * The run's configuration: a backtest's own settings (data, strategy, sizing, cash, window,
 * seed) in full, and of the engine's settings those that differ from the defaults (all of
 * them are in --json).
 */
function formatConfiguration(snapshot: Record<string, unknown>): string {
  const parts: string[] = [];
  const bt = snapshot.backtest;
  if (bt !== null && typeof bt === 'object' && !Array.isArray(bt)) {
    const b = bt as Record<string, unknown>;
    const fields: [string, string][] = Object.keys(b).sort().map((k) => [k, configValueText(b[k])]);
    parts.push(`backtest\n${renderFields(fields, '  ')}`);
  }
  const settings = changedSettings(snapshot.config);
  if (settings) {
    const fields: [string, string][] = settings.changed.map((k) => [k, configValueText((snapshot.config as Record<string, unknown>)[k])]);
    parts.push(
      `settings\n  ${settings.changed.length} of ${settings.total} differ from the defaults${settings.changed.length ? '' : ' (all defaults)'}; --json shows all\n` +
        (fields.length ? renderFields(fields, '  ') : ''),
    );
  }
  return parts.join('');
}

function configValueText(v: unknown): string {
  if (v === null || v === undefined) return NONE;
  return cell(typeof v === 'string' ? v : JSON.stringify(v));
}

/** The settings of a snapshot's `config` whose value is not the default's, sorted. */
function changedSettings(config: unknown): { changed: string[]; total: number } | null {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return null;
  const c = config as Record<string, unknown>;
  const defaults = CONFIG_DEFAULTS as unknown as Record<string, unknown>;
  const keys = Object.keys(c).sort();
  return { changed: keys.filter((k) => JSON.stringify(c[k]) !== JSON.stringify(defaults[k])), total: keys.length };
}

/**
 * A backtest's row holds bar time: its start and duration are shown by the wall clock, its
 * bars beneath. A paper or live cycle runs on the wall clock: its row's times are those.
 */
function timeFields(d: RunDetail): [string, string][] {
  const r = d.run;
  const w = d.facts.wallClock;
  if (r.kind !== 'backtest') {
    return [
      ['started', formatTime(r.startedAt)],
      ['finished', r.finishedAt ? formatTime(r.finishedAt) : NONE],
      ['duration', durationBetween(r.startedAt, r.finishedAt)],
    ];
  }
  return [
    ['started', w.startedAt ? formatTime(w.startedAt) : NONE],
    ['finished', w.finishedAt ? formatTime(w.finishedAt) : NONE],
    ['duration', w.durationMs !== null ? formatDuration(w.durationMs) : r.status === 'running' ? 'running' : NONE],
    ['bars', `${barTime(r.startedAt)} → ${r.finishedAt ? barTime(r.finishedAt) : NONE}`],
  ];
}

/** A bar time: the date alone at midnight (daily bars). */
export function barTime(iso: string): string {
  return /T00:00:00(\.000)?Z$/.test(iso) ? iso.slice(0, 10) : formatTime(iso);
}

function formatCycle(c: CycleTimeline): string {
  const head = renderFields([
    ['cycle', `${cell(c.status)}  trigger ${cell(c.trigger)}  at ${formatTime(c.cycleTime)}  took ${formatDuration(c.durationMs)}${c.timedOut ? '  TIMED OUT' : ''}`],
    ...(c.blockReason !== null ? [['blocked', cell(c.blockReason)] as [string, string]] : []),
  ]);
  const stages = renderTable(
    [
      { header: 'STAGE' },
      { header: 'STATUS' },
      { header: 'ATTEMPTS', align: 'right' },
      { header: 'DURATION MS', align: 'right' },
      { header: 'ERROR' },
      { header: 'NOTE' },
    ],
    c.stages.map((s) => [cell(s.stage), cell(s.status), String(s.attempts), formatMs(s.durationMs), cell(s.errorCode), cell(s.note)]),
    '  ',
  );
  const errors = c.errors.length
    ? `errors\n${c.errors.map((e) => `  ${cell(e.code)}${e.stage ? ` [${cell(e.stage)}]` : ''}: ${cell(e.message)}`).join('\n')}\n`
    : '';
  return `${head}stages\n${stages}${errors}`;
}

function formatSummary(s: Record<string, unknown>): string {
  const n = (k: string): number | null => (typeof s[k] === 'number' ? (s[k] as number) : null);
  const count = (k: string): string => (n(k) === null ? NONE : String(n(k)));
  const error = s.error as { code?: unknown; message?: unknown } | null | undefined;
  const fields: [string, string][] = [
    ['bars', count('bars')],
    ['orders', `${count('orders')}  (filled ${count('ordersFilled')}, rejected ${count('ordersRejected')}, unfilled ${count('ordersUnfilled')})`],
    ['trades', count('trades')],
    ['final value', `${formatMoney(n('finalValue'))}  (return ${formatPct(n('totalReturnPct'))})`],
    ['final cash', formatMoney(n('finalCash'))],
    ['max DD', formatPct(n('maxDrawdownPct'))],
    ['commission', formatMoney(n('totalCommission'))],
  ];
  if (Array.isArray(s.quality) && s.quality.length) fields.push(['quality', cell(s.quality.join(', '))]);
  if (error && typeof error === 'object') fields.push(['error', `${cell(error.code)}: ${cell(error.message)}`]);
  return `summary\n${renderFields(fields, '  ')}`;
}
