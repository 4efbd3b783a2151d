// AUDIT: every order submitted in this cycle must have an audit record carrying a policy
// version (GOV: 100% of order submissions audited). A gap fails the stage with
// E_AUDIT_INCOMPLETE listing the missing refs; the orchestrator's containment rule for
// AUDIT (fail closed in prod) decides what happens next.

import type { AuditCompleteness } from '../../domain/analytics.ts';
import type { Governance } from '../../governance/contract.ts';
import { OrdinisError } from '../../errors.ts';
import type { Stage, StageContext } from '../../kernel/stage-contract.ts';

/** What AUDIT reads of an open order: EXEC's order store hands out records of this shape. */
export interface OpenOrderView {
  intent: { clientOrderId: string };
  /** 'pending' = persisted, no broker answer recorded yet. */
  status: string;
  auditRef: number | null;
}

export interface AuditStageOptions {
  governance: Governance;
  /**
   * The order book. When EXEC produced no output (it failed after sending something), the
   * orders it left at the broker are found here: every open order that reached the broker
   * must carry its audit reference.
   */
  orderStore?: { listOpen(): readonly OpenOrderView[] };
}

/** The default AUDIT engine: checks that every side effect of the cycle has its audit record (runs every cycle, even a failed one). */
export class AuditStage implements Stage<'AUDIT'> {
  readonly name = 'AUDIT' as const;

  constructor(private readonly opts: AuditStageOptions) {}

  run(ctx: StageContext): AuditCompleteness {
    const gov = this.opts.governance;
    const submitted = ctx.data.EXEC?.submitted.map((s) => s.intent.clientOrderId) ?? this.unauditedAtBroker();
    const refs = [...new Set(submitted)];
    const audited = refs.length > 0 ? gov.auditedSubjects(refs) : new Set<string>();
    const missing = refs.filter((r) => !audited.has(r));
    if (missing.length > 0) {
      throw new OrdinisError('E_AUDIT_INCOMPLETE', `${missing.length} of ${refs.length} submitted orders have no audit record: ${missing.join(', ')}`, {
        details: { missing, checked: refs.length, correlationId: ctx.correlationId },
      });
    }
    return { checked: refs.length, audited: refs.length, policyVersion: gov.policyVersion, missing: [] };
  }

  /** Open orders the broker has answered (not pending) whose audit reference was never set. */
  private unauditedAtBroker(): string[] {
    const store = this.opts.orderStore;
    if (!store) return [];
    return store
      .listOpen()
      .filter((r) => r.status !== 'pending' && r.auditRef === null)
      .map((r) => r.intent.clientOrderId);
  }

  summarize(out: AuditCompleteness): Record<string, unknown> {
    return { checked: out.checked, audited: out.audited, missing: out.missing.length };
  }
}
