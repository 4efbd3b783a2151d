// A cycle's state and a stage step as the engine makes them, for testing one layer alone.
import { buildStageSpecs, type StageSpec } from '../../../src/kernel/stage-spec.ts';
import { newCycleState, type CycleState, type StageStep } from '../../../src/kernel/cycle-state.ts';
import type { Stage, StageName } from '../../../src/kernel/stage-contract.ts';
import { TEST_SETTINGS, EMPTY_OUTPUTS } from '../../support/engine-harness.ts';

export const SPECS: readonly StageSpec[] = buildStageSpecs(TEST_SETTINGS);
export const specOf = (name: StageName): StageSpec => SPECS.find((s) => s.name === name)!;

export function cycleState(over: Partial<CycleState> = {}): CycleState {
  const t0 = performance.now();
  const base = newCycleState({
    correlationId: 'c-1',
    parentRunId: null,
    mode: 'paper',
    trigger: { kind: 'manual' },
    cycleTime: Date.UTC(2024, 0, 2),
    index: 0,
    records: 'all',
    startedAt: Date.UTC(2024, 0, 2),
    t0,
    deadline: t0 + 5000,
  });
  return { ...base, ...over };
}

export function stageStep(cycle: CycleState, name: StageName, run?: Stage['run']): StageStep {
  const stage = { name, run: run ?? (() => EMPTY_OUTPUTS[name] as never) } as Stage;
  return { cycle, spec: specOf(name), stage, now: performance.now(), result: undefined, output: undefined, error: undefined, attempt: 0, remainingMs: 0, outcome: undefined, stageDepth: -1, attemptDepth: -1 };
}

/** The inner layers, as a layer under test sees them: counts its calls. */
export function innerCounter(): { next: (s: StageStep) => undefined; calls: number } {
  const box = {
    calls: 0,
    next: (_s: StageStep) => {
      box.calls++;
      return undefined;
    },
  };
  return box;
}
