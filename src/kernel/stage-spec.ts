// StageSpec: how the orchestrator treats each stage (retries, budget, containment).
// Specs are built from defaults + config + user overrides and validated at start().

import { OrdinisError, type ErrorCode } from '../errors.ts';
import { STAGE_ORDER, type StageName, type StageOutputs } from './stage-contract.ts';
import { normalizeRetryPolicy, type RetryPolicy } from './retry-policy.ts';
import type { HookPatch } from '../governance/hooks/hook-manager.ts';
import { applyQtyPatch } from './qty-patch.ts';

/**
 * What may stop a stage before it runs (layers/gates.ts): `kill`, the kill switch as this
 * process last read it; `kill-reread`, the same after re-reading it (it may have flipped
 * mid-cycle, in another process); `stale`, a stale-data signal raised earlier in the cycle;
 * `degraded-exec`, the previous cycle degraded and ORCH_DEGRADED_ALLOW_EXEC=false.
 */
export type GateName = 'kill' | 'kill-reread' | 'stale' | 'degraded-exec';
export const GATE_NAMES: readonly GateName[] = ['kill', 'kill-reread', 'stale', 'degraded-exec'];

/** A signal a stage's output raises for a later stage's gate (today: stale data from ING). */
export interface GateSignal {
  gate: 'stale';
  reason: string;
  lagMs: number;
}

/** How a hook's patch at a stage's boundary applies: to which earlier stage's output, and how. */
export interface BoundaryPatch {
  of: StageName;
  /** The patched output; throws (E_HOOK_*) when the patch is not a narrowing. */
  apply(output: unknown, patch: HookPatch): unknown;
}

/** fail: cycle failed. degrade: cycle degraded, the cycle goes on. fail_closed: cycle failed and the kill switch is activated. */
export type FailureMode = 'fail' | 'degrade' | 'fail_closed';

/** How the engine treats a stage: budget, retries, failure mode, gates, whether it runs on a block or after a failure, side effects. */
export interface StageSpec {
  name: StageName;
  enabled: boolean;
  /** Safe to run twice with the same input: only idempotent stages are retried. */
  idempotent: boolean;
  /** Side effects carry an idempotency key (EXEC must, to be retried). */
  idempotencyKeyed: boolean;
  /** Critical stages still run after the cycle budget is spent; others are skipped. */
  critical: boolean;
  budgetMs: number;
  failureMode: FailureMode;
  retry: RetryPolicy;
  /** Checked in this order before the stage runs; the first that holds blocks it (and the cycle's trading path). */
  gates: readonly GateName[];
  /** Still runs when the cycle was blocked earlier (bookkeeping: PORT, ANA; and AUDIT). */
  runsWhenBlocked: boolean;
  /** Still runs after a stage failed (AUDIT: every cycle is audited, even a failed one). */
  runsAfterFailure: boolean;
  /** Talks to the outside world: an attempt cut at its budget is waited for before the next cycle, and it is retried only when idempotency-keyed. */
  sideEffects: boolean;
  /** Failing with one of these codes activates the kill switch, with `reason` (PORT: a ledger invariant breach). */
  killOn: readonly { code: ErrorCode; reason: string }[];
  /** A gate signal the stage's output raises for later stages. */
  raises?: (output: unknown) => GateSignal | undefined;
  /** How a hook patch at this stage's boundary applies (EXEC: narrows RISK's order quantities). */
  patch?: BoundaryPatch;
}

/** Overrides of a stage's StageSpec (every field optional). */
export type StageSpecInput = Partial<Omit<StageSpec, 'name' | 'retry'>> & { retry?: Partial<RetryPolicy> };

/** Documented defaults (README "Stage defaults"). */
export const DEFAULT_STAGE_BUDGET_MS: Readonly<Record<StageName, number>> = {
  ING: 1000,
  FEAT: 500,
  SIG: 500,
  RISK: 250,
  EXEC: 1500,
  PORT: 250,
  ANA: 500,
  AUDIT: 250,
};

type Traits = Omit<StageSpec, 'name' | 'enabled' | 'budgetMs' | 'retry'>;

/** A stage on the trading path: no gate, stops at a block or a failure. */
const PLAIN: Traits = {
  idempotent: true,
  idempotencyKeyed: false,
  critical: true,
  failureMode: 'fail',
  gates: [],
  runsWhenBlocked: false,
  runsAfterFailure: false,
  sideEffects: false,
  killOn: [],
};

const staleData = (output: unknown): GateSignal | undefined => {
  const stale = (output as StageOutputs['ING'] | undefined)?.stale;
  return stale ? { gate: 'stale', reason: stale.reason, lagMs: stale.lagMs } : undefined;
};

const DEFAULT_TRAITS: Readonly<Record<StageName, Traits>> = {
  ING: { ...PLAIN, raises: staleData },
  FEAT: PLAIN,
  // No signal on a stopped switch or on stale data.
  SIG: { ...PLAIN, gates: ['kill', 'stale'] },
  RISK: PLAIN,
  // The default EXEC derives a deterministic idempotency key per order, so a retry can
  // never place an order twice; a user EXEC without keys must say so and is not retried.
  // The kill switch is re-read first: it may have flipped since the cycle began.
  EXEC: { ...PLAIN, idempotencyKeyed: true, sideEffects: true, gates: ['kill-reread', 'degraded-exec'], patch: { of: 'RISK', apply: applyQtyPatch as BoundaryPatch['apply'] } },
  // Bookkeeping runs on a blocked cycle too: working orders still fill, the curve goes on.
  PORT: { ...PLAIN, runsWhenBlocked: true, killOn: [{ code: 'E_LEDG_INVARIANT_BREACH', reason: 'ledger invariant breach' }] },
  ANA: { ...PLAIN, critical: false, failureMode: 'degrade', runsWhenBlocked: true },
  AUDIT: { ...PLAIN, failureMode: 'fail_closed', runsWhenBlocked: true, runsAfterFailure: true },
};

export interface SpecSettings {
  stageBudgetMs: Partial<Record<StageName, number>>;
  retryMax: number;
  retry?: Partial<Omit<RetryPolicy, 'maximumAttempts'>>;
  disabledStages: readonly StageName[];
  failClosedOnAudit: boolean;
}

/** The eight StageSpecs from the defaults, the settings and your overrides, validated (E_ORCH_STAGE_SPEC_INVALID). */
export function buildStageSpecs(settings: SpecSettings, overrides: Partial<Record<StageName, StageSpecInput>> = {}): StageSpec[] {
  for (const k of Object.keys(overrides)) {
    if (!(STAGE_ORDER as readonly string[]).includes(k)) {
      throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `unknown stage '${k}' in stage specs; stages are ${STAGE_ORDER.join(', ')}`);
    }
  }
  for (const d of settings.disabledStages) {
    if (!(STAGE_ORDER as readonly string[]).includes(d)) {
      throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `cannot disable unknown stage '${d}'`);
    }
  }
  return STAGE_ORDER.map((name) => {
    const o = overrides[name] ?? {};
    const traits = DEFAULT_TRAITS[name];
    const failureMode = o.failureMode ?? (name === 'AUDIT' && !settings.failClosedOnAudit ? 'degrade' : traits.failureMode);
    const { retry, ...given } = o;
    const spec: StageSpec = {
      ...traits,
      ...(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<StageSpec>),
      name,
      enabled: o.enabled ?? !settings.disabledStages.includes(name),
      budgetMs: o.budgetMs ?? settings.stageBudgetMs[name] ?? DEFAULT_STAGE_BUDGET_MS[name],
      failureMode,
      retry: normalizeRetryPolicy({ ...settings.retry, maximumAttempts: 1 + settings.retryMax, ...retry }, `stage ${name}`),
    };
    validateStageSpec(spec);
    return spec;
  });
}

export function validateStageSpec(spec: StageSpec): void {
  const bad = (msg: string): never => {
    throw new OrdinisError('E_ORCH_STAGE_SPEC_INVALID', `stage ${spec.name}: ${msg}`);
  };
  if (!Number.isFinite(spec.budgetMs) || spec.budgetMs <= 0) bad(`budgetMs must be a positive number of ms, got ${spec.budgetMs}`);
  if (!['fail', 'degrade', 'fail_closed'].includes(spec.failureMode)) bad(`failureMode must be fail | degrade | fail_closed, got '${spec.failureMode}'`);
  if (typeof spec.idempotent !== 'boolean' || typeof spec.critical !== 'boolean') bad('idempotent and critical must be booleans');
  for (const g of spec.gates) if (!GATE_NAMES.includes(g)) bad(`unknown gate '${String(g)}'; gates are ${GATE_NAMES.join(', ')}`);
  if (spec.patch && STAGE_ORDER.indexOf(spec.patch.of) >= STAGE_ORDER.indexOf(spec.name)) bad(`a boundary patch can only apply to an earlier stage's output, not ${spec.patch.of}`);
  if (spec.name === 'AUDIT' && !spec.enabled) bad('AUDIT cannot be disabled: every cycle is audited');
  if (spec.name === 'AUDIT' && !spec.critical) bad('AUDIT is always critical');
}

/** Whether a failed attempt of this stage may be tried again at all. */
export function stageMayRetry(spec: StageSpec): boolean {
  if (!spec.idempotent || spec.retry.maximumAttempts <= 1) return false;
  return !spec.sideEffects || spec.idempotencyKeyed;
}
