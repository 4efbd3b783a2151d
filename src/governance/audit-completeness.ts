// A backtest's audit: a completeness check, not a hash chain. Nothing reads a backtest's
// simulated audit trail once the run is over, so hashing every record into a chain is work
// for no reader. What a backtest does need is kept: every record gets its reference (seq),
// AUDIT can ask which of its cycle's orders were audited (so a missing record still fails the
// cycle, E_AUDIT_INCOMPLETE), and the run can say how many records of each kind it wrote.
// Paper and live keep the persisted, hash-chained, checkpointed store.

import type { AuditLog, AuditRecordInput } from './audit-chain.ts';

type AuditedSubject = Pick<AuditRecordInput, 'subjectRef' | 'policyVersion'>;

export class AuditCompletenessCheck implements AuditLog {
  private seq = 0;
  /** The cycle (correlation id) whose subjects are kept; a record of another cycle starts a new one. */
  private cycle: string | null = null;
  /** The current cycle's audited subjects, in record order. */
  private subjects = new Map<string, AuditedSubject>();
  private readonly kinds = new Map<string, number>();

  append(input: AuditRecordInput): { readonly seq: number } {
    // Only the current cycle's subjects are kept: AUDIT checks its own cycle's orders, so
    // memory and the lookup stay small however long the run. A record with no correlation
    // id (a kill switch flip) belongs to the cycle in progress.
    if (input.correlationId !== null && input.correlationId !== this.cycle) {
      this.cycle = input.correlationId;
      this.subjects = new Map();
    }
    if (input.subjectRef !== null && !this.subjects.get(input.subjectRef)?.policyVersion) {
      this.subjects.set(input.subjectRef, { subjectRef: input.subjectRef, policyVersion: input.policyVersion });
    }
    this.kinds.set(input.kind, (this.kinds.get(input.kind) ?? 0) + 1);
    return { seq: ++this.seq };
  }

  findBySubject(subjectRefs: readonly string[]): AuditedSubject[] {
    const out: AuditedSubject[] = [];
    for (const ref of subjectRefs) {
      const s = this.subjects.get(ref);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Records written so far, by kind (e.g. gov.preflight, exec.submit). */
  countsByKind(): Record<string, number> {
    return Object.fromEntries(this.kinds);
  }

  /** Records written so far. */
  get count(): number {
    return this.seq;
  }
}
