// ORCH_SCHEDULE: either a fixed interval ("30s", "1m") or a cron expression. Parsed here so
// the config check and the runtime's scheduler read the value the same way.

import { Cron } from 'croner';

export type Schedule = { kind: 'interval'; ms: number } | { kind: 'cron'; expression: string };

export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; reason: string };

const INTERVAL_RE = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export function parseSchedule(raw: string): ScheduleParse {
  const s = raw.trim();
  const m = INTERVAL_RE.exec(s);
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    if (!Number.isSafeInteger(ms) || ms <= 0) return { ok: false, reason: `interval "${s}" must be positive` };
    return { ok: true, schedule: { kind: 'interval', ms } };
  }
  if (s.split(/\s+/).length < 5) return { ok: false, reason: `"${s}" is neither an interval (500ms, 30s, 1m, 1h) nor a cron expression` };
  try {
    // Parsing only: a job without a callback, paused and stopped at once, schedules nothing.
    new Cron(s, { paused: true }).stop();
    return { ok: true, schedule: { kind: 'cron', expression: s } };
  } catch (e) {
    return { ok: false, reason: `invalid cron expression "${s}": ${(e as Error).message}` };
  }
}
