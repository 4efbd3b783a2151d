// SIG: strategy packs, the registry and the signal stage.
export { defineStrategyPack } from './strategy-pack.ts';
export type { Decision, StrategyMemory, StrategyPack } from './strategy-pack.ts';
export { BUILTIN_STRATEGIES, StrategyRegistry, assertEnoughBars, createStrategyRegistry, parseStrategyParams, resolvePack } from './registry.ts';
export type { ResolvedStrategy, StrategyInfo } from './registry.ts';
export { SignalStage } from './signal-stage.ts';
export type { SignalStageOptions } from './signal-stage.ts';
export { smaCross } from './builtin/sma-cross.ts';
export { closeSma } from './builtin/close-sma.ts';
export { rsiReversion } from './builtin/rsi.ts';
