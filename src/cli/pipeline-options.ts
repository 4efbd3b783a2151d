// The flags `ordinis backtest` and `ordinis paper` share (data, strategy, sizing, cash,
// commission, dates, seed) and their one translation into a BacktestConfig, so the two
// commands cannot drift apart.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { OrdinisError } from '../errors.ts';
import type { BacktestConfig } from '../backtest/backtest-driver.ts';
import type { CommissionModel } from '../stages/exec/commission.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundled sample: real ORCL daily bars, so `ordinis backtest` works on a fresh install. */
export const SAMPLE_DATA = join(PROJECT_ROOT, 'samples', 'orcl-1995-2014.txt');

export interface PipelineFlags {
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
  /** Default: BROKER_STARTING_CASH. */
  cash?: string;
  commissionPct?: string;
  from?: string;
  to?: string;
  db?: string;
  seed?: string;
}

const STRATEGY_FLAGS: Record<string, readonly (keyof PipelineFlags)[]> = {
  'sma-cross': ['fast', 'slow'],
  'close-sma': ['period'],
  rsi: ['period', 'lower', 'upper'],
};

/** Adds the shared flags; `cashHelp` and `dbHelp` say what cash and the database mean for the command. */
export function addPipelineOptions(cmd: Command, cashHelp: string, dbHelp: string): Command {
  return cmd
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
    .option('--cash <amount>', `${cashHelp} (default BROKER_STARTING_CASH)`)
    .option('--commission-pct <pct>', 'commission as a percentage of fill notional (0.1 = 0.1%)')
    .option('--from <date>', 'first date, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last date, YYYY-MM-DD (inclusive)')
    .option('--db <file>', dbHelp)
    .option('--seed <n>', 'random seed (default ORCH_SEED)');
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A numeric flag, or E_CFG_INVALID naming the flag and the value. */
export function num(flag: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(raw)}: expected a number`);
  return v;
}

export function toBacktestConfig(f: PipelineFlags, defaultCash: number): BacktestConfig {
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
    cash: f.cash === undefined ? defaultCash : num('--cash', f.cash),
    commission,
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.seed !== undefined ? { seed: num('--seed', f.seed) } : {}),
  };
}
