// The governance engine: evaluates the versioned policy set, writes an audit record for
// every preflight, and is the one door through which side effects are audited.

import { OrdinisError } from '../errors.ts';
import { toRfc3339, type Clock } from '../core/clock.ts';
import type { AuditLog } from './audit-chain.ts';
import { GOV_ACTION, type AuditInput, type GovContext, type GovDecision, type Governance, type GovVerdict } from './contract.ts';
import type { OrdinisConfig } from '../config/schema.ts';
import { DEFAULT_GOV_PARAMS, POLICY_SETS, type GovPolicyParams, type PolicyRule } from './policies.ts';

export interface GovernanceOptions {
  policyVersion: string;
  store: AuditLog;
  clock: Clock;
  params?: Partial<GovPolicyParams>;
  /** Extra rule sets by version (tests, user policies). */
  policySets?: Readonly<Record<string, readonly PolicyRule[]>>;
  /**
   * GOV_FAIL_CLOSED_EXEC: when a policy throws while an order submission is preflighted, deny
   * the order (true, the default) or let it through with a 'warn' (false). Either way the
   * decision and the error are on the preflight's audit record, so the order stays audited.
   * Other actions (kill switch) are not affected: their preflight errors propagate.
   */
  failClosedExec?: boolean;
}

/** The GovernanceEngine options the config decides (GOV_POLICY_VERSION, GOV_FAIL_CLOSED_EXEC). */
export function governanceOptionsFromConfig(config: Pick<OrdinisConfig, 'GOV_POLICY_VERSION' | 'GOV_FAIL_CLOSED_EXEC'>): Pick<GovernanceOptions, 'policyVersion' | 'failClosedExec'> {
  return { policyVersion: config.GOV_POLICY_VERSION, failClosedExec: config.GOV_FAIL_CLOSED_EXEC };
}

const SEVERITY: Record<GovVerdict, number> = { allow: 0, warn: 1, modify: 2, deny: 3 };

export class GovernanceEngine implements Governance {
  readonly policyVersion: string;
  private readonly rules: readonly PolicyRule[];
  private readonly params: GovPolicyParams;

  constructor(private readonly opts: GovernanceOptions) {
    const sets = { ...POLICY_SETS, ...opts.policySets };
    const rules = sets[opts.policyVersion];
    if (!rules) {
      throw new OrdinisError('E_GOV_POLICY_MISSING', `policy version '${opts.policyVersion}' is unknown (known: ${Object.keys(sets).join(', ')})`);
    }
    this.policyVersion = opts.policyVersion;
    this.rules = rules;
    this.params = { ...DEFAULT_GOV_PARAMS, ...opts.params };
  }

  /** Pure evaluation: every rule runs; the most severe verdict wins; patches merge narrowest. */
  evaluate(ctx: GovContext): Omit<GovDecision, 'auditRef'> {
    let decision: GovVerdict = 'allow';
    const reasons: string[] = [];
    let patch: Record<string, unknown> | undefined;
    for (const rule of this.rules) {
      const r = rule.evaluate(ctx, this.params);
      if (!r) continue;
      reasons.push(r.reason);
      if (SEVERITY[r.verdict] > SEVERITY[decision]) decision = r.verdict;
      if (r.patch) patch = { ...patch, ...r.patch };
    }
    // Optional fields are written out in both shapes, here and in preflight, rather than
    // spread in: a spread plus more fields is V8's slow path, and EXEC preflights every order.
    return decision === 'modify' && patch
      ? { decision, reasons, patch, policyVersion: this.policyVersion }
      : { decision, reasons, policyVersion: this.policyVersion };
  }

  preflight(ctx: GovContext): GovDecision {
    let evaluated: Omit<GovDecision, 'auditRef'>;
    let error: { code: string; message: string } | undefined;
    try {
      evaluated = this.evaluate(ctx);
    } catch (e) {
      if (ctx.action !== GOV_ACTION.orderSubmit) throw e;
      error = { code: e instanceof OrdinisError ? e.code : 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
      const closed = this.opts.failClosedExec ?? true;
      evaluated = {
        decision: closed ? 'deny' : 'warn',
        reasons: [`GOV.ERROR.${closed ? 'FAIL_CLOSED' : 'FAIL_OPEN'}: ${error.message}`],
        policyVersion: this.policyVersion,
      };
    }
    const { decision, reasons, patch, policyVersion } = evaluated;
    const auditRef = this.audit({
      kind: 'gov.preflight',
      componentId: ctx.componentId,
      action: ctx.action,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      decision,
      payload: patch ? { reasons, patch, subject: ctx.payload } : error ? { reasons, subject: ctx.payload, error } : { reasons, subject: ctx.payload },
    });
    return patch ? { decision, reasons, patch, policyVersion, auditRef } : { decision, reasons, policyVersion, auditRef };
  }

  audit(record: AuditInput): number {
    try {
      return this.opts.store.append({
        ts: toRfc3339(this.opts.clock.now()),
        kind: record.kind,
        component: record.componentId,
        action: record.action,
        actor: record.actor,
        correlationId: record.correlationId,
        policyVersion: this.policyVersion,
        decision: record.decision,
        subjectRef: record.subjectRef ?? null,
        payload: record.payload,
      }).seq;
    } catch (e) {
      throw new OrdinisError('E_GOV_AUDIT_WRITE_FAILED', `audit record for ${record.action} not written`, { cause: e });
    }
  }

  auditedSubjects(subjectRefs: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const r of this.opts.store.findBySubject(subjectRefs)) {
      if (r.subjectRef && r.policyVersion) out.add(r.subjectRef);
    }
    return out;
  }
}
