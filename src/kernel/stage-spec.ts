// StageSpec: how the orchestrator treats each stage (retries, budget, containment).
// Specs are built from defaults + config + user overrides and validated at start().

import { OrdinisError } from '../errors.ts';
import { STAGE_ORDER, type StageName } from './stage-contract.ts';
import { normalizeRetryPolicy, type RetryPolicy } from './retry-policy.ts';

/** fail: cycle failed. degrade: cycle degraded, the cycle goes on. fail_closed: cycle failed and the kill switch is activated. */
export type FailureMode = 'fail' | 'degrade' | 'fail_closed';

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
}

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

const DEFAULT_TRAITS: Readonly<Record<StageName, Pick<StageSpec, 'idempotent' | 'idempotencyKeyed' | 'critical' | 'failureMode'>>> = {
  ING: { idempotent: true, idempotencyKeyed: false, critical: true, failureMode: 'fail' },
  FEAT: { idempotent: true, idempotencyKeyed: false, critical: true, failureMode: 'fail' },
  SIG: { idempotent: true, idempotencyKeyed: false, critical: true, failureMode: 'fail' },
  RISK: { idempotent: true, idempotencyKeyed: false, critical: true, failureMode: 'fail' },
  // The default EXEC derives a deterministic idempotency key per order, so a retry can
  // never place an order twice; a user EXEC without keys must say so and is not retried.
  EXEC: { idempotent: true, idempotencyKeyed: true, critical: true, failureMode: 'fail' },
  PORT: { idempotent: true, idempotencyKeyed: false, critical: true, failureMode: 'fail' },
  ANA: { idempotent: true, idempotencyKeyed: false, critical: false, failureMode: 'degrade' },
  AUDIT: { idempotent: true, idempotencyKeyed: false, critical: true, failureMode: 'fail_closed' },
};

export interface SpecSettings {
  stageBudgetMs: Partial<Record<StageName, number>>;
  retryMax: number;
  retry?: Partial<Omit<RetryPolicy, 'maximumAttempts'>>;
  disabledStages: readonly StageName[];
  failClosedOnAudit: boolean;
}

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
    const spec: StageSpec = {
      name,
      enabled: o.enabled ?? !settings.disabledStages.includes(name),
      idempotent: o.idempotent ?? traits.idempotent,
      idempotencyKeyed: o.idempotencyKeyed ?? traits.idempotencyKeyed,
      critical: o.critical ?? traits.critical,
      budgetMs: o.budgetMs ?? settings.stageBudgetMs[name] ?? DEFAULT_STAGE_BUDGET_MS[name],
      failureMode,
      retry: normalizeRetryPolicy({ ...settings.retry, maximumAttempts: 1 + settings.retryMax, ...o.retry }, `stage ${name}`),
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
  if (spec.name === 'AUDIT' && !spec.enabled) bad('AUDIT cannot be disabled: every cycle is audited');
  if (spec.name === 'AUDIT' && !spec.critical) bad('AUDIT is always critical');
}

/** Whether a failed attempt of this stage may be tried again at all. */
export function stageMayRetry(spec: StageSpec): boolean {
  if (!spec.idempotent || spec.retry.maximumAttempts <= 1) return false;
  return spec.name !== 'EXEC' || spec.idempotencyKeyed;
}
