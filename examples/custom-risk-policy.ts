// A RISK policy of your own, added to the default chain: no new entries on Mondays.
//
// Shows: a `RiskPolicy` (an id and a pure `evaluate(signal, ctx)`) that denies with its own
// reason code (`custom:<name>`; the built-in codes are `RISK.*`), appended to
// DEFAULT_POLICY_CHAIN and passed to `runBacktest` as `riskPolicies`. The same SMA 15/30
// crossover backtest on the bundled ORCL sample runs twice, with and without the policy,
// and the denials are listed.
//
// Run:  node --import tsx examples/custom-risk-policy.ts

import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY_CHAIN, PASS, deny, loadConfig, runBacktest, smaCross, type BacktestFill, type RiskPolicy } from 'ordinis-orch';

const MONDAY = 1;

/**
 * Denies an entry (an order that opens a position: the symbol is flat) decided on a Monday
 * bar; exits and everything else pass. It runs last, so `ctx.order` is the order the
 * default policies made of the signal.
 */
export const noMondayEntries: RiskPolicy = {
  id: 'no-monday-entries',
  evaluate: (signal, ctx) => {
    const opens = ctx.order !== undefined && (ctx.account.positions.get(signal.symbol) ?? 0) === 0;
    return opens && new Date(signal.ts).getUTCDay() === MONDAY ? deny('custom:no-monday-entries', `${signal.symbol}: no new entries on Mondays`) : PASS;
  },
};

/** The same policy, remembering the denials it hands out: the log is this example's, the rule stays pure. */
function recordingDenials(policy: RiskPolicy, log: { ts: number; symbol: string; reason: string }[]): RiskPolicy {
  return {
    id: policy.id,
    evaluate: (signal, ctx) => {
      const r = policy.evaluate(signal, ctx);
      if (r.verdict === 'deny') log.push({ ts: signal.ts, symbol: signal.symbol, reason: r.reason });
      return r;
    },
  };
}

const orcl = fileURLToPath(new URL('samples/orcl-1995-2014.txt', import.meta.resolve('ordinis-orch/package.json')));
const config = loadConfig().config;
const backtest = {
  dataFiles: [orcl],
  symbols: ['ORCL'],
  strategy: smaCross,
  strategyParams: { fast: 15, slow: 30 },
  sizing: { kind: 'fixed', qty: 100 } as const,
  cash: 100_000,
  commission: { kind: 'none' } as const,
};

const denials: { ts: number; symbol: string; reason: string }[] = [];
const plain = await runBacktest(backtest, { config });
const guarded = await runBacktest(backtest, { config, riskPolicies: [...DEFAULT_POLICY_CHAIN, recordingDenials(noMondayEntries, denials)] });
for (const r of [plain, guarded]) if (r.result.status !== 'ok') throw new Error(`backtest failed: ${r.result.error?.message}`);

const buys = (fills: readonly BacktestFill[]): number => fills.filter((f) => f.side === 'buy').length;
const day = (ts: number): string => new Date(ts).toUTCString().slice(0, 16);
console.log(`${'default chain:'.padEnd(22)} ${buys(plain.result.fills)} entries, final value ${plain.result.finalValue.toFixed(2)}`);
console.log(`${`+ ${noMondayEntries.id}:`.padEnd(22)} ${buys(guarded.result.fills)} entries, final value ${guarded.result.finalValue.toFixed(2)}`);
console.log(`${denials.length} entries denied, e.g.:`);
for (const d of denials.slice(0, 3)) console.log(`  ${day(d.ts)} ${d.symbol} ${d.reason}`);

if (denials.length === 0) throw new Error('expected some Monday entries to be denied');
if (denials.some((d) => new Date(d.ts).getUTCDay() !== MONDAY)) throw new Error('a denial on a day other than Monday');
if (buys(guarded.result.fills) >= buys(plain.result.fills)) throw new Error('expected fewer entries with the policy');
