// Audit chain verification. The answer is 200 whether the chain holds or not: the check
// ran, and its verdict is `ok` in the body (with where and why it broke). A non-2xx means
// the check itself could not run (503 E_DB_UNAVAILABLE), so a probe can tell "the log is
// tampered with" from "the log could not be read".
//
// The route is unauthenticated and lives in the trading process, so it never walks the
// chain in one go on the event loop: an AuditVerifier per server verifies incrementally, in
// chunks that yield, shares one verification among concurrent requests and answers within
// AUDIT_VERIFY_MIN_INTERVAL_MS from the last result (`cached: true`, with `ageMs`). See
// ../audit-verifier.ts.

import type { OpsServerDeps, Route } from '../contract.ts';
import { AuditVerifier } from '../audit-verifier.ts';

const verifiers = new WeakMap<OpsServerDeps, AuditVerifier>();

/** The server's verifier: the one it was given, else one made on first use. */
function verifierOf(deps: OpsServerDeps): AuditVerifier {
  if (deps.auditVerifier) return deps.auditVerifier;
  let v = verifiers.get(deps);
  if (!v) {
    v = new AuditVerifier(deps.db.audit, deps.auditVerifyMinIntervalMs !== undefined ? { minIntervalMs: deps.auditVerifyMinIntervalMs } : {});
    verifiers.set(deps, v);
  }
  return v;
}

export const auditRoutes: readonly Route[] = [
  {
    pattern: '/audit/verify',
    methods: {
      GET: async (_req, deps) => {
        const v = await verifierOf(deps).verify();
        const c = v.checkpoints;
        return {
          status: 200,
          json: {
            ok: v.ok,
            checked: v.checked,
            ...(v.ok ? {} : { brokenAt: v.brokenAt ?? null, reason: v.reason ?? null }),
            head: { seq: v.head.seq, hash: v.head.hash },
            anchor: { seq: v.anchor.seq, hash: v.anchor.hash },
            checkpoints: c && {
              keyed: c.keyed,
              keyId: c.keyId,
              valid: c.valid,
              otherKey: c.otherKey,
              lastSealed: c.lastSealed,
              unsealed: c.unsealed,
              problems: c.problems,
              warnings: c.warnings,
            },
            verification: v.verification,
            cached: v.cached,
            ageMs: v.ageMs,
          },
        };
      },
    },
  },
];
