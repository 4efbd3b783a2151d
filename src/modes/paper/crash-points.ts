// TEST SEAM: deterministic crash injection for the crash-only recovery tests.
//
// Inert unless TEST_ORDINIS_CRASH_AT is set. With `TEST_ORDINIS_CRASH_AT=<point>:<n>` the
// process SIGKILLs itself (no handlers, no flush, exactly like `kill -9`) the n-th time it
// reaches <point>. The points sit between two durable writes where a real crash would leave
// the most to recover:
//
//   exec.after_persist  an order intent was committed ('pending'), the broker not yet called
//   exec.after_submit   the venue accepted and recorded the order; our answer not yet stored
//   exec.before_audit_ref  the order's exec.submit audit record was appended; its audit_ref
//                       on the order not yet set (one transaction: a crash here loses both)
//   port.before_commit  a fill is about to be posted to the ledger (the venue already has it)
//   cycle.mid           RISK has recorded its decisions; EXEC has not run
//
// The runtime only wraps its stores with these checks when the variable is set, so a
// production process carries no extra code on its write path. (Not ORDINIS_*: every
// ORDINIS_* variable is read as a configuration key, and unknown ones are refused.)

import { OrdinisError } from '../../errors.ts';

export const CRASH_POINTS = ['exec.after_persist', 'exec.after_submit', 'exec.before_audit_ref', 'port.before_commit', 'cycle.mid'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export const CRASH_ENV = 'TEST_ORDINIS_CRASH_AT';

export interface CrashSeam {
  readonly point: CrashPoint;
  readonly occurrence: number;
  /** Counts a pass through `point`; kills the process on the configured occurrence. */
  reach(point: CrashPoint): void;
}

/** The seam configured by TEST_ORDINIS_CRASH_AT, or undefined (the normal case). */
export function crashSeamFromEnv(env: Record<string, string | undefined> = process.env, kill: () => void = killSelf): CrashSeam | undefined {
  const raw = env[CRASH_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = /^([a-z_.]+):(\d+)$/.exec(raw.trim());
  if (!m || !(CRASH_POINTS as readonly string[]).includes(m[1]!) || Number(m[2]) < 1) {
    throw new OrdinisError('E_CFG_INVALID', `${CRASH_ENV}=${raw}: expected <point>:<n> with point one of ${CRASH_POINTS.join(', ')} and n >= 1`);
  }
  const point = m[1] as CrashPoint;
  const occurrence = Number(m[2]);
  let seen = 0;
  return {
    point,
    occurrence,
    reach(p: CrashPoint): void {
      if (p !== point) return;
      seen += 1;
      if (seen === occurrence) kill();
    },
  };
}

function killSelf(): void {
  process.kill(process.pid, 'SIGKILL');
}
