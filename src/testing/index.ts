// `ordinis-orch/testing`: helpers for users' own tests. Bars without a CSV file, and a
// harness that runs a strategy pack over them through the real default pipeline.

export { barsFromCloses, barsFromRows } from './bars.ts';
export type { BarsOptions, OhlcvRow } from './bars.ts';
export { runStrategy } from './run-strategy.ts';
export type { RunStrategyOptions, StrategyRun } from './run-strategy.ts';
