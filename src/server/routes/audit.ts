// Audit chain verification. The answer is 200 whether the chain holds or not: the check
// ran, and its verdict is `ok` in the body (with where and why it broke). A non-2xx means
// the check itself could not run (503 E_DB_UNAVAILABLE), so a probe can tell "the log is
// tampered with" from "the log could not be read".
//
// The walk covers the whole chain since the retention anchor and runs synchronously on the
// event loop; on a large log this stalls the other routes for its duration.

import type { Route } from '../contract.ts';

export const auditRoutes: readonly Route[] = [
  {
    pattern: '/audit/verify',
    methods: {
      GET: (_req, deps) => {
        const v = deps.db.audit.verify();
        const head = deps.db.audit.head();
        const anchor = deps.db.audit.anchor();
        return {
          status: 200,
          json: {
            ok: v.ok,
            checked: v.checked,
            ...(v.ok ? {} : { brokenAt: v.brokenAt ?? null, reason: v.reason ?? null }),
            head: { seq: head.seq, hash: head.hash },
            anchor: { seq: anchor.seq, hash: anchor.hash },
          },
        };
      },
    },
  },
];
