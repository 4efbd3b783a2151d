// The benchmark suite: `npm run bench` (add `-- --quick` for a short smoke run, `-- --json
// FILE` to also write the figures as one JSON object, `-- --only a,b` for some of them).
//
// Each benchmark runs in a child process of its own (a fresh heap and JIT, and an RSS that is
// that run's alone); this process only starts them, prints the machine and a table with every
// figure next to its spec and target, and writes the JSON. Targets are checked here, in the
// output, never in tests.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, arch } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCycleOverhead, benchCycleOverheadBare } from './cycle-overhead.ts';
import { benchBacktestSingle } from './backtest-single.ts';
import { benchBacktestUniverse } from './backtest-universe.ts';
import { benchBusDispatch } from './bus-dispatch.ts';
import { benchKillBlock } from './kill-block.ts';
import { benchPaperCycle } from './paper-cycle.ts';
import { benchAuditVerifyLoad } from './audit-verify-load.ts';
import { benchBacktestMemory } from './backtest-memory.ts';
import { benchMainJob } from './main-job.ts';
import { benchStartupHelp } from './startup-help.ts';
import { benchCsvRead } from './csv-read.ts';
import { benchSweep } from './sweep.ts';
import type { CycleRecords } from '../src/modes/backtest/backtest-driver.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

/** The JSON keys, in output order, and the fields each carries. */
const KEYS = {
  cycleOverheadUs: ['p50', 'p95', 'p99', 'n'],
  cycleOverheadBareUs: ['p50', 'p95', 'p99', 'n'],
  backtestSingle: ['barsPerSec', 'bars', 'runs'],
  backtestUniverse: ['symbolBarsPerSec', 'symbols', 'barsPerSymbol', 'peakRssMb'],
  busDispatchUs: ['ratePerSec', 'p95'],
  killBlockUs: ['p95'],
  paperCycleUs100kOrders: ['p50', 'p95', 'orders'],
  auditVerifyLoad: ['loadedShare', 'loadedShareUnlimited', 'healthzShare', 'duringFullWalkShare', 'fullVerifyMs', 'records'],
  backtestMemory: ['peakRssMb', 'bars'],
  csvReadRowsPerSec: ['rowsPerSec', 'cpuRowsPerSec', 'rows'],
  mainJobMs: ['backtestMs', 'helpMs', 'runs'],
  startupHelpMs: ['median', 'nodeBareMs', 'runs'],
  sweep: ['backtestsPerSec1', 'backtestsPerSec2', 'speedup', 'queueOverheadMsPerJob', 'backtests'],
} as const;
type BenchName = keyof typeof KEYS;
const NAMES = Object.keys(KEYS) as BenchName[];
type Detail = Record<string, unknown>;

interface Args {
  quick: boolean;
  json: string | undefined;
  only: BenchName[];
  cycleRecords: CycleRecords;
  child: BenchName | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { quick: false, json: undefined, only: NAMES, cycleRecords: 'exceptions', child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--quick') a.quick = true;
    else if (k === '--json') a.json = resolve(value());
    else if (k === '--only') a.only = value().split(',').map((s) => known(s.trim()));
    else if (k === '--cycle-records') {
      const v = value();
      if (v !== 'all' && v !== 'exceptions') throw new Error(`--cycle-records ${v}: expected all or exceptions`);
      a.cycleRecords = v;
    } else if (k === '--child') a.child = known(value());
    else throw new Error(`unknown argument ${k} (expected --quick, --json FILE, --only ${NAMES.join(',')}, --cycle-records all|exceptions)`);
  }
  return a;
}

function known(name: string): BenchName {
  if (!(NAMES as string[]).includes(name)) throw new Error(`unknown benchmark '${name}' (known: ${NAMES.join(', ')})`);
  return name as BenchName;
}

async function runOne(name: BenchName, a: Args): Promise<Detail> {
  switch (name) {
    case 'cycleOverheadUs':
      return { ...(await benchCycleOverhead(a.quick)) };
    case 'cycleOverheadBareUs':
      return { ...(await benchCycleOverheadBare(a.quick)) };
    case 'backtestSingle':
      return { ...(await benchBacktestSingle(a.quick, PROJECT_ROOT, a.cycleRecords)) };
    case 'backtestUniverse':
      return { ...(await benchBacktestUniverse(a.quick, a.cycleRecords)) };
    case 'busDispatchUs':
      return { ...(await benchBusDispatch(a.quick)) };
    case 'killBlockUs':
      return { ...(await benchKillBlock(a.quick)) };
    case 'paperCycleUs100kOrders':
      return { ...(await benchPaperCycle(a.quick)) };
    case 'auditVerifyLoad':
      return { ...(await benchAuditVerifyLoad(a.quick)) };
    case 'backtestMemory':
      return { ...(await benchBacktestMemory(a.quick, a.cycleRecords)) };
    case 'csvReadRowsPerSec':
      return { ...benchCsvRead(a.quick, PROJECT_ROOT) };
    case 'mainJobMs':
      return { ...benchMainJob(a.quick, PROJECT_ROOT) };
    case 'startupHelpMs':
      return { ...benchStartupHelp(a.quick, PROJECT_ROOT) };
    case 'sweep':
      return { ...(await benchSweep(a.quick, PROJECT_ROOT)) };
  }
}

/** Runs one benchmark in a fresh process; its last stdout line is the JSON detail. */
function inChild(name: BenchName, a: Args): Detail {
  const args = ['--import', 'tsx', SELF, '--child', name, '--cycle-records', a.cycleRecords, ...(a.quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`benchmark ${name} failed (exit ${r.status ?? r.signal})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Detail;
}

interface Row {
  what: string;
  figure: string;
  spec: string;
  specOk: boolean | null;
  target: string;
  targetOk: boolean | null;
}

const fmt = (x: unknown): string => (typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(x));

function rowsFor(name: BenchName, d: Detail): Row[] {
  const n = (k: string): number => d[k] as number;
  switch (name) {
    case 'cycleOverheadUs':
      return [
        {
          what: 'cycle overhead (8 no-op stages, paper: batch spans, metrics, SQLite file)',
          figure: `p50 ${fmt(n('p50'))} µs, p95 ${fmt(n('p95'))} µs, p99 ${fmt(n('p99'))} µs (n ${fmt(n('n'))})`,
          spec: 'p95 < 10 ms',
          specOk: n('p95') < 10_000,
          target: 'p95 ≤ 100 µs',
          targetOk: n('p95') <= 100,
        },
      ];
    case 'cycleOverheadBareUs':
      return [
        {
          what: 'cycle overhead, kernel alone (8 no-op stages, in memory: no spans, metrics or records)',
          figure: `p50 ${fmt(n('p50'))} µs, p95 ${fmt(n('p95'))} µs, p99 ${fmt(n('p99'))} µs (n ${fmt(n('n'))})`,
          spec: '—',
          specOk: null,
          target: 'p95 ≤ 5 µs',
          targetOk: n('p95') <= 5,
        },
      ];
    case 'backtestSingle':
      return [
        {
          what: `backtest, 1 symbol, ORCL daily repeated (sma-cross 15/30, cycle records: ${String(d.cycleRecords)})`,
          figure: `${fmt(n('barsPerSec'))} bars/s, ${fmt(n('barsPerCpuSec'))} per CPU second (${fmt(n('bars'))} bars, median of ${n('runs')} runs)`,
          spec: '1 y daily < 60 s',
          specOk: 252 / n('barsPerSec') < 60,
          target: '≥ 300,000 bars/s',
          targetOk: n('barsPerSec') >= 300_000,
        },
      ];
    case 'backtestUniverse':
      return [
        {
          what: `backtest, ${n('symbols')} symbols × ${fmt(n('barsPerSymbol'))} synthetic bars (cycle records: ${String(d.cycleRecords)})`,
          figure: `${fmt(n('symbolBarsPerSec'))} symbol-bars/s`,
          spec: '—',
          specOk: null,
          target: '≥ 1,000,000 symbol-bars/s',
          targetOk: n('symbolBarsPerSec') >= 1_000_000,
        },
        { what: '  peak RSS of that run (own process)', figure: `${fmt(n('peakRssMb'))} MB`, spec: '—', specOk: null, target: '≤ 256 MB', targetOk: n('peakRssMb') <= 256 },
      ];
    case 'busDispatchUs':
      return [
        {
          what: `bus publish → handler (in-memory, paced at ${fmt(n('targetRatePerSec'))}/s)`,
          figure: `p95 ${fmt(n('p95'))} µs at ${fmt(n('ratePerSec'))} events/s (p50 ${fmt(n('p50'))}, p99 ${fmt(n('p99'))})`,
          spec: 'p95 < 5 ms @ 1k/s',
          specOk: n('p95') < 5_000,
          target: 'p95 ≤ 50 µs @ 10k/s',
          targetOk: n('p95') <= 50,
        },
      ];
    case 'killBlockUs':
      return [
        {
          what: 'kill.activate() → next submission refused (engine, SQLite file)',
          figure: `p95 ${fmt(n('p95'))} µs (p50 ${fmt(n('p50'))}, p99 ${fmt(n('p99'))}, n ${n('n')})`,
          spec: 'p95 < 10 ms',
          specOk: n('p95') < 10_000,
          target: 'p95 ≤ 1 ms',
          targetOk: n('p95') <= 1_000,
        },
      ];
    case 'paperCycleUs100kOrders':
      return [
        {
          what: `paper cycle, ${fmt(n('orders'))} orders in the book (ORCL replay, sma-cross 15/30, SQLite file)`,
          figure: `p50 ${fmt(n('p50'))} µs, p95 ${fmt(n('p95'))} µs, p99 ${fmt(n('p99'))} µs (${fmt(n('cycles'))} cycles)`,
          spec: 'p95 < 10 ms',
          specOk: n('p95') < 10_000,
          target: 'p95 ≤ 1 ms',
          targetOk: n('p95') <= 1_000,
        },
      ];
    case 'auditVerifyLoad':
      return [
        {
          what: `trading turns (1 audit append each) under 4 clients on GET /audit/verify, ${fmt(n('records'))}-record chain, over idle`,
          figure: `${fmt(100 * n('loadedShare'))} % (${fmt(n('requests'))} requests); no rate limit ${fmt(100 * n('loadedShareUnlimited'))} % (${fmt(n('requestsUnlimited'))}); /healthz ${fmt(100 * n('healthzShare'))} %`,
          spec: '—',
          specOk: null,
          target: '≥ 50 %',
          targetOk: n('loadedShare') >= 0.5,
        },
        {
          what: '  during one full walk of that chain (chunks yielding to the loop)',
          figure: `${fmt(100 * n('duringFullWalkShare'))} % of idle; the walk alone ${fmt(n('fullVerifyMs'))} ms, incremental after 10 appends ${fmt(n('incrementalVerifyMs'))} ms`,
          spec: '—',
          specOk: null,
          target: '—',
          targetOk: null,
        },
      ];
    case 'backtestMemory':
      return [
        {
          what: `peak RSS, backtest of ${fmt(n('bars'))} synthetic bars, 1 symbol (own process, cycle records: ${String(d.cycleRecords)})`,
          figure: `${fmt(n('peakRssMb'))} MB (${fmt(n('startRssMb'))} MB at the start)`,
          spec: '—',
          specOk: null,
          target: '≤ 256 MB',
          targetOk: n('peakRssMb') <= 256,
        },
      ];
    case 'csvReadRowsPerSec':
      return [
        {
          what: `CSV read alone, ORCL daily repeated (${fmt(n('rows'))} rows, median of ${n('runs')} runs)`,
          figure: `${fmt(n('rowsPerSec'))} rows/s (CPU time: ${fmt(n('cpuRowsPerSec'))} rows/s)`,
          spec: '—',
          specOk: null,
          target: '—',
          targetOk: null,
        },
      ];
    case 'mainJobMs':
      return [
        {
          what: `the main job, \`ordinis backtest\` with default flags, whole process (median of ${n('runs')})`,
          figure: `${fmt(n('backtestMs'))} ms, of which start-up (\`ordinis --help\`) ${fmt(n('helpMs'))} ms`,
          spec: '—',
          specOk: null,
          target: '10× faster than backtrader (README)',
          targetOk: null,
        },
      ];
    case 'startupHelpMs':
      return [
        {
          what: `start-up, \`ordinis --help\` of the built package, whole process (median of ${n('runs')}; \`node -e 0\` beside it)`,
          figure: `${fmt(n('median'))} ms (node -e 0: ${fmt(n('nodeBareMs'))} ms)`,
          spec: '—',
          specOk: null,
          target: '≤ 150 ms',
          targetOk: n('median') <= 150,
        },
      ];
    case 'sweep':
      return [
        {
          what: `sweep, ${n('backtests')} sma-cross backtests on the ORCL sample (~5,000 bars each), 1 job → 2 jobs`,
          figure: `${fmt(n('backtestsPerSec1'))} → ${fmt(n('backtestsPerSec2'))} backtests/s (× ${fmt(n('speedup'))})`,
          spec: '—',
          specOk: null,
          target: '≥ 1.8× on 2 cores',
          targetOk: n('speedup') >= 1.8,
        },
        {
          what: `  queue (BullMQ, redis-server on 127.0.0.1, 1 worker): overhead per job over a local 1-job sweep (${fmt(n('queueJobs'))} jobs)`,
          figure: n('queueJobs') === 0 ? 'not measured: redis-server not installed' : `${fmt(n('queueOverheadMsPerJob'))} ms`,
          spec: '—',
          specOk: null,
          target: '—',
          targetOk: null,
        },
      ];
  }
}

function printTable(rows: Row[]): void {
  const mark = (ok: boolean | null): string => (ok === null ? '' : ok ? ' ✓' : ' ✗');
  const cells = rows.map((r) => [r.what, r.figure, `${r.spec}${mark(r.specOk)}`, `${r.target}${mark(r.targetOk)}`]);
  const head = ['benchmark', 'figure', 'spec', 'target'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(width[i]!)).join(' │ ');
  console.log(line(head));
  console.log(width.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.child) {
    const detail = await runOne(a.child, a);
    process.stdout.write(`${JSON.stringify(detail)}\n`);
    return;
  }
  const cpu = cpus();
  console.log(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()}/${arch()}, Node ${process.version}`);
  console.log(a.quick ? 'mode: --quick (a smoke run: small samples, figures are not representative)\n' : '');
  const details: Partial<Record<BenchName, Detail>> = {};
  const rows: Row[] = [];
  for (const name of a.only) {
    process.stderr.write(`running ${name}...\n`);
    const d = inChild(name, a);
    details[name] = d;
    rows.push(...rowsFor(name, d));
  }
  printTable(rows);
  if (a.json) {
    const out: Record<string, Record<string, number>> = {};
    for (const name of a.only) out[name] = Object.fromEntries(KEYS[name].map((k) => [k, details[name]![k] as number]));
    writeFileSync(a.json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\nwrote ${a.json}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
