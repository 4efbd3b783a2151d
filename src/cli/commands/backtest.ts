// `ordinis backtest`: the main job. Parses the contract's flags into a BacktestConfig, runs
// it through the default pipeline, prints JSON (--json) or a readable summary, and writes an
// HTML report on request.

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { OrdinisError } from '../../errors.ts';
import { runBacktest, type BacktestConfig, type BacktestResult } from '../../backtest/backtest-driver.ts';
import { renderHtmlReport } from '../../backtest/report/html-report.ts';
import { createEngineObserver } from '../../observability/engine-observer.ts';
import { createOrchMetrics } from '../../observability/metrics.ts';
import { setupTracing, tracingOptionsFromConfig } from '../../observability/tracing.ts';
import { buildInfo } from '../../runtime/build-info.ts';
import { createProgressBar } from '../progress.ts';
import { makeContext, type GlobalOptions } from '../context.ts';
import type { CommissionModel } from '../../stages/exec/commission.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The bundled sample: real ORCL daily bars, so `ordinis backtest` works on a fresh install. */
export const SAMPLE_DATA = join(PROJECT_ROOT, 'samples', 'orcl-1995-2014.txt');

interface BacktestFlags {
  data?: string[];
  symbols?: string;
  strategy: string;
  fast?: string;
  slow?: string;
  period?: string;
  lower?: string;
  upper?: string;
  qty?: string;
  weight?: string;
  cash: string;
  commissionPct?: string;
  from?: string;
  to?: string;
  db?: string;
  report?: string;
  json?: boolean;
  seed?: string;
}

const STRATEGY_FLAGS: Record<string, readonly (keyof BacktestFlags)[]> = {
  'sma-cross': ['fast', 'slow'],
  'close-sma': ['period'],
  rsi: ['period', 'lower', 'upper'],
};

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('run a backtest of the default pipeline on CSV bars (default: the bundled ORCL sample)')
    .option('--data <file>', 'OHLCV CSV file (repeatable; one symbol per file)', collect, undefined)
    .option('--symbols <list>', 'symbol names for the files, comma-separated (default: file stems); also the order within a bar')
    .option('--strategy <id>', 'sma-cross | close-sma | rsi', 'sma-cross')
    .option('--fast <n>', 'sma-cross: fast SMA period (default 15)')
    .option('--slow <n>', 'sma-cross: slow SMA period (default 30)')
    .option('--period <n>', 'close-sma: SMA period (default 15); rsi: RSI period (default 14)')
    .option('--lower <x>', 'rsi: buy below this RSI (default 30)')
    .option('--upper <x>', 'rsi: close above this RSI (default 70)')
    .option('--qty <n>', 'fixed order size in shares (default 10)')
    .option('--weight <w>', 'order size as a fraction of portfolio value at the decision bar close, floored to whole shares')
    .option('--cash <amount>', 'starting cash', '10000')
    .option('--commission-pct <pct>', 'commission as a percentage of fill notional (0.1 = 0.1%)')
    .option('--from <date>', 'first date, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)')
    .option('--db <file>', 'SQLite file for the run record (default DB_PATH)')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--seed <n>', 'random seed (default ORCH_SEED)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: BacktestFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      const ctx = makeContext({ ...g, ...(flags.db ? { db: flags.db } : {}) });
      const bt = toBacktestConfig(flags);
      const db = ctx.openDb();
      const progress = flags.json ? { update() {}, finish() {} } : createProgressBar();
      const info = buildInfo();
      // The SDK is wired here, at the edge; engines only use @opentelemetry/api.
      const tracing = setupTracing({ ...tracingOptionsFromConfig(ctx.config), serviceVersion: info.codeVersion });
      try {
        const { result, artifacts } = await runBacktest(bt, {
          config: ctx.config,
          db,
          observer: createEngineObserver({ metrics: createOrchMetrics(), logger: ctx.logger }),
          onProgress: (d, t) => progress.update(d, t),
          codeVersion: info.codeVersion,
          commitHash: info.commitHash,
        });
        progress.finish();
        if (flags.report) {
          writeFileSync(
            flags.report,
            renderHtmlReport({
              runId: result.runId,
              title: `Backtest ${bt.strategy} on ${result.symbols.join(', ')}`,
              generatedFor: { strategy: result.strategy.id, params: result.strategy.params, symbols: result.symbols, from: bt.from ?? null, to: bt.to ?? null, startingCash: bt.cash },
              status: result.status,
              finalCash: result.finalCash,
              finalValue: result.finalValue,
              kpis: result.kpis ?? emptyKpis(),
              quality: result.quality,
              equity: [...artifacts.equity],
              trades: artifacts.closedTrades.map((t) => ({
                symbol: t.symbol,
                openTs: t.openTs,
                closeTs: t.closeTs,
                qty: t.maxQty,
                entryPrice: t.entryPrice,
                exitPrice: t.maxQty ? t.entryPrice + t.pnlGross / t.maxQty : t.entryPrice,
                pnlGross: t.pnlGross,
                pnlNet: t.pnlNet,
              })),
              fills: result.fills.map((f) => ({ ...f, ts: Date.parse(f.ts) })),
              orders: result.orders,
              ordersRejected: result.ordersRejected,
            }),
          );
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(formatSummary(result, bt, flags.report, db.path));
        process.exitCode = result.status === 'ok' ? 0 : 1;
      } finally {
        db.close();
        await tracing.shutdown();
      }
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function toBacktestConfig(f: BacktestFlags): BacktestConfig {
  const allowed = STRATEGY_FLAGS[f.strategy];
  if (!allowed) throw new OrdinisError('E_SIG_STRATEGY_UNKNOWN', `--strategy ${f.strategy}: expected one of ${Object.keys(STRATEGY_FLAGS).join(', ')}`);
  const params: Record<string, unknown> = {};
  for (const k of ['fast', 'slow', 'period', 'lower', 'upper'] as const) {
    if (f[k] === undefined) continue;
    if (!allowed.includes(k)) throw new OrdinisError('E_CFG_INVALID', `--${k} does not apply to --strategy ${f.strategy} (it takes ${allowed.map((a) => `--${a}`).join(', ')})`);
    params[k] = num(`--${k}`, f[k]);
  }
  if (f.qty !== undefined && f.weight !== undefined) throw new OrdinisError('E_CFG_INVALID', 'give --qty or --weight, not both');
  const sizing = f.weight !== undefined ? { kind: 'weight' as const, weight: num('--weight', f.weight) } : { kind: 'fixed' as const, qty: num('--qty', f.qty ?? '10') };
  const commission: CommissionModel = f.commissionPct !== undefined ? { kind: 'percent', percent: num('--commission-pct', f.commissionPct) } : { kind: 'none' };
  if (commission.kind === 'percent' && !(commission.percent >= 0 && commission.percent < 100)) {
    throw new OrdinisError('E_CFG_INVALID', `--commission-pct ${f.commissionPct}: expected a percentage in [0, 100)`);
  }
  const symbols = f.symbols?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    dataFiles: f.data ?? [SAMPLE_DATA],
    ...(symbols ? { symbols } : f.data ? {} : { symbols: ['ORCL'] }),
    strategy: f.strategy,
    strategyParams: params,
    sizing,
    cash: num('--cash', f.cash),
    commission,
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.seed !== undefined ? { seed: num('--seed', f.seed) } : {}),
  };
}

function num(flag: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(raw)}: expected a number`);
  return v;
}

function formatSummary(r: BacktestResult, bt: BacktestConfig, report: string | undefined, dbPath: string): string {
  const money = (x: number) => x.toFixed(2);
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(2)}%`);
  const k = r.kpis;
  const lines = [
    `run        ${r.runId}  (${r.status})`,
    `strategy   ${r.strategy.id} ${Object.entries(r.strategy.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}  on ${r.symbols.join(', ')}`,
    `bars       ${r.bars}`,
    `orders     ${r.orders} (filled ${r.ordersFilled}, rejected ${r.ordersRejected}, unfilled ${r.ordersUnfilled})`,
    `trades     ${r.trades}`,
    `cash       ${money(bt.cash)} -> ${money(r.finalCash)}`,
    `value      ${money(r.finalValue)}  (return ${pct(r.totalReturnPct)})`,
    `max DD     ${pct(r.maxDrawdownPct)}`,
    `commission ${money(r.totalCommission)}`,
  ];
  if (k) lines.push(`sharpe     ${k.sharpe === null ? '—' : k.sharpe.toFixed(2)}   sortino ${k.sortino === null ? '—' : k.sortino.toFixed(2)}   win rate ${pct(k.winRatePct)}`);
  if (r.quality.length) lines.push(`quality    ${r.quality.join(', ')}`);
  if (r.error) lines.push(`error      ${r.error.code}: ${r.error.message}`);
  lines.push(`database   ${dbPath}`);
  if (report) lines.push(`report     ${report}`);
  return `${lines.join('\n')}\n`;
}

function emptyKpis(): NonNullable<BacktestResult['kpis']> {
  return {
    totalReturnPct: 0, annualizedReturnPct: null, volatilityPct: null, sharpe: null, sortino: null, maxDrawdownPct: 0, maxDrawdownMoney: 0,
    calmar: null, winRatePct: null, profitFactor: null, exposurePct: 0, turnover: 0, fees: 0, trades: 0, bars: 0,
  };
}
