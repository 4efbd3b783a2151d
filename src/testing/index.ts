/**
 * Helpers for your own tests (`import { ... } from 'ordinis-orch/testing'`): bars without a
 * CSV file (`barsFromCloses`, `barsFromRows`) and `runStrategy`, which runs a strategy pack
 * over them through the real default pipeline and returns its fills and KPIs.
 *
 * @module ordinis-orch/testing
 */

export { barsFromCloses, barsFromRows } from './bars.ts';
export type { BarsOptions, OhlcvRow } from './bars.ts';
export { runStrategy } from './run-strategy.ts';
export type { RunStrategyOptions, StrategyRun } from './run-strategy.ts';
