// Governance (GOV) as the rest of the system sees it: a deterministic, versioned
// `preflight` decision before an action and an append-only `audit` after it.

/** Action names shared by the callers and the policies that match on them. */
export const GOV_ACTION = {
  orderSubmit: 'order.submit',
  killActivate: 'kill.activate',
  killDeactivate: 'kill.deactivate',
} as const;

export type GovVerdict = 'allow' | 'deny' | 'warn' | 'modify';

export interface GovContext {
  componentId: string;
  action: string;
  actor: string;
  correlationId: string | null;
  instrumentType?: string;
  jurisdiction?: string;
  dataTags?: Record<string, string>;
  /** A small summary of what is about to happen (symbol, side, qty, ...). */
  payload: Record<string, unknown>;
}

export interface GovDecision {
  decision: GovVerdict;
  reasons: string[];
  /** Only for 'modify': fields to narrow (never widen). */
  patch?: Record<string, unknown>;
  policyVersion: string;
  /** Sequence number of the audit record written for this preflight. */
  auditRef: number;
}

export interface AuditInput {
  kind: string;
  componentId: string;
  action: string;
  actor: string;
  correlationId: string | null;
  decision: string;
  /** The side effect's key (e.g. a client order id) for completeness checks. */
  subjectRef?: string | null;
  payload: Record<string, unknown>;
}

export interface Governance {
  readonly policyVersion: string;
  preflight(ctx: GovContext): GovDecision;
  /** Appends an audit record and returns its reference (sequence number). */
  audit(record: AuditInput): number;
  /** Which of these subject refs have an audit record carrying a policy version. */
  auditedSubjects(subjectRefs: readonly string[]): Set<string>;
}
