// Audit chain verification for the ops API, off the trading path. `GET /audit/verify` is
// unauthenticated and runs in the trading process, on its event loop and its connection; a
// walk of the whole chain per request let four clients cut a paper run from 2600 cycles to
// 115. Three things keep it cheap:
//
// - incremental: the last verified point (seq, hash) is remembered with the anchor and the
//   database's change stamp; the next verification walks only the records after it. It
//   walks everything again when the anchor moved, the remembered record's hash changed, or
//   another connection wrote to the file or the schema changed since (PRAGMA data_version /
//   schema_version): this process's own appends cannot alter verified records (triggers),
//   so only a write from outside can, and then the cache is not trusted;
// - sliced: the walk verifies `chunkRecords` records at a time and yields to the event loop
//   (setImmediate) once a slice of about `sliceMs` is spent, so cycles and other requests
//   run in between and wait at most about a slice;
// - coalesced and rate-limited: concurrent requests share the one verification in flight,
//   and within `minIntervalMs` of the last one a request gets its result with its age,
//   unless another connection wrote since (then it verifies at once: a tamper is never
//   hidden behind the cache).
//
// The final head/anchor consistency checks run synchronously, so no append of this process
// can slip between them.

import { performance } from 'node:perf_hooks';
import { OrdinisError } from '../errors.ts';
import { GENESIS_HASH } from '../governance/audit-chain.ts';
import type { ChainPoint, CheckpointReport } from '../governance/audit-checkpoint.ts';
import { systemClock, toRfc3339, type Clock } from '../core/clock.ts';
import { sameStamp, type ChangeStamp } from '../persistence/sqlite-commit-probe.ts';
import type { SqliteAuditStore } from '../persistence/sqlite-audit-store.ts';

export const DEFAULT_AUDIT_VERIFY_MIN_INTERVAL_MS = 10_000;
/** Records per chunk (a read and a hash walk, well under a millisecond). */
export const DEFAULT_AUDIT_VERIFY_CHUNK = 16;
/** Chunks run back to back for at most this long before yielding, so a cycle waits about this much for a walk. */
export const DEFAULT_AUDIT_VERIFY_SLICE_MS = 1;

/** How often the anchor may move under a walk (retention) before it gives up for this request. */
const MAX_RESTARTS = 3;

export interface AuditVerifierOptions {
  /** At most one verification per this interval (AUDIT_VERIFY_MIN_INTERVAL_MS); 0 = every request verifies. */
  minIntervalMs?: number;
  /** Records verified per chunk. */
  chunkRecords?: number;
  /** Chunks run for at most this long (performance.now) before a yield; 0 = yield after every chunk. */
  sliceMs?: number;
  /** Wall clock for the result's age. */
  clock?: Clock;
}

export interface AuditVerdict {
  ok: boolean;
  /** Records from the anchor to the head that are verified (all of them when ok). */
  checked: number;
  brokenAt?: number;
  reason?: string;
  head: ChainPoint;
  anchor: ChainPoint;
  checkpoints: CheckpointReport | null;
  verification: {
    /** 1, 2, ...: which verification of this process produced the result. */
    id: number;
    /** full: walked from the anchor; incremental: from the last verified point. */
    mode: 'full' | 'incremental';
    /** Records hashed by this verification. */
    walked: number;
    /** Event-loop turns it yielded (0 when it fit in one chunk). */
    yields: number;
    verifiedAt: string;
  };
}

export interface AuditVerifyAnswer extends AuditVerdict {
  /** True when the result was not computed for this request (joined one in flight, or the rate limit answered). */
  cached: boolean;
  /** Wall-clock ms since the verification finished. */
  ageMs: number;
}

interface Remembered {
  anchor: ChainPoint;
  point: ChainPoint;
  stamp: ChangeStamp;
}

export class AuditVerifier {
  private readonly minIntervalMs: number;
  private readonly chunk: number;
  private readonly sliceMs: number;
  private readonly clock: Clock;
  private inflight: Promise<AuditVerdict> | null = null;
  private last: { verdict: AuditVerdict; finishedAt: number; stamp: ChangeStamp } | null = null;
  private verified: Remembered | null = null;
  private runs = 0;

  constructor(
    private readonly store: SqliteAuditStore,
    options: AuditVerifierOptions = {},
  ) {
    this.minIntervalMs = Math.max(0, options.minIntervalMs ?? DEFAULT_AUDIT_VERIFY_MIN_INTERVAL_MS);
    this.chunk = Math.max(1, Math.trunc(options.chunkRecords ?? DEFAULT_AUDIT_VERIFY_CHUNK));
    this.sliceMs = Math.max(0, options.sliceMs ?? DEFAULT_AUDIT_VERIFY_SLICE_MS);
    this.clock = options.clock ?? systemClock;
  }

  /** Verifications run so far (tests and metrics: requests that did not start one were served from the cache). */
  get verifications(): number {
    return this.runs;
  }

  async verify(): Promise<AuditVerifyAnswer> {
    if (this.inflight) return this.answer(await this.inflight, true);
    const last = this.last;
    if (last && this.clock.now() - last.finishedAt < this.minIntervalMs && sameStamp(this.store.changeStamp(), last.stamp)) {
      return this.answer(last.verdict, true);
    }
    const run = this.run();
    this.inflight = run;
    try {
      return this.answer(await run, false);
    } finally {
      if (this.inflight === run) this.inflight = null;
    }
  }

  private answer(verdict: AuditVerdict, cached: boolean): AuditVerifyAnswer {
    const finishedAt = this.last?.verdict === verdict ? this.last.finishedAt : this.clock.now();
    return { ...verdict, cached, ageMs: Math.max(0, this.clock.now() - finishedAt) };
  }

  private async run(): Promise<AuditVerdict> {
    const id = ++this.runs;
    const stamp = this.store.changeStamp();
    let anchor = this.store.anchor();
    const mem = this.verified;
    let mode: 'full' | 'incremental' = mem && this.stillHolds(mem, anchor, stamp) ? 'incremental' : 'full';
    let from = mode === 'incremental' ? mem!.point : anchor;
    this.verified = null;
    let walked = 0;
    let yields = 0;
    let restarts = 0;
    let sliceStart = performance.now();
    const finish = (v: Omit<AuditVerdict, 'verification' | 'anchor'>): AuditVerdict => {
      const verdict: AuditVerdict = { ...v, anchor, verification: { id, mode, walked, yields, verifiedAt: toRfc3339(this.clock.now()) } };
      this.last = { verdict, finishedAt: this.clock.now(), stamp };
      return verdict;
    };

    for (;;) {
      const head = this.store.head();
      if (from.seq < head.seq) {
        const seg = this.store.walkSegment(from, Math.min(this.chunk, head.seq - from.seq));
        walked += seg.checked;
        if (!seg.ok) return finish({ ok: false, checked: from.seq - anchor.seq + seg.checked, brokenAt: seg.brokenAt!, reason: seg.reason!, head, checkpoints: null });
        const advanced = seg.last.seq > from.seq;
        from = seg.last;
        // Caught up with the head read above: conclude in this same turn. Yielding here
        // would let the next append in and chase the head for ever.
        if (advanced && from.seq >= head.seq) continue;
        if (advanced) {
          // The slice is spent: let cycles and requests run before the next chunk.
          if (performance.now() - sliceStart < this.sliceMs) continue;
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
          yields++;
          const anchorNow = this.store.anchor();
          if (!samePoint(anchorNow, anchor)) {
            // Retention moved the anchor under the walk: start again from it.
            if (++restarts > MAX_RESTARTS) {
              throw new OrdinisError('E_DB_UNAVAILABLE', 'the audit anchor kept moving during verification; try again', { retryable: true });
            }
            anchor = anchorNow;
            from = anchor;
            mode = 'full';
          }
          continue;
        }
      }
      // From here on synchronous: nothing this process appends can interleave.
      const verdict = this.conclude(anchor, from, head, stamp);
      if (verdict === 'appended') continue; // another process appended meanwhile: walk that too
      return finish(verdict);
    }
  }

  /** The head/anchor consistency checks and the checkpoints' verdict, once the walk reached `last`. */
  private conclude(anchor: ChainPoint, last: ChainPoint, walkedToHead: ChainPoint, stamp: ChangeStamp): Omit<AuditVerdict, 'verification' | 'anchor'> | 'appended' {
    const head = this.store.head();
    if (head.seq > last.seq && last.seq === walkedToHead.seq) return 'appended';
    const checked = last.seq - anchor.seq;
    const broken = (brokenAt: number, reason: string) => ({ ok: false, checked, brokenAt, reason, head, checkpoints: null });
    if (!samePoint(this.store.anchor(), anchor)) return broken(anchor.seq, 'the anchor moved during verification; verify again');
    if (last.seq < walkedToHead.seq) {
      return broken(last.seq + 1, `the log ends at seq ${last.seq} but the head records seq ${walkedToHead.seq} (tail truncated)`);
    }
    if (head.seq < last.seq) return broken(head.seq + 1, `records past the head (seq ${head.seq}): written outside the audit store`);
    if (this.store.hashAt(head.seq + 1) !== undefined) {
      if (this.store.head().seq > head.seq) return 'appended';
      return broken(head.seq + 1, `records past the head (seq ${head.seq}): written outside the audit store`);
    }
    const lastHash = last.seq === anchor.seq ? anchor.hash : last.hash;
    if (head.seq === last.seq && (lastHash !== head.hash || (head.seq === 0 && head.hash !== GENESIS_HASH))) {
      return broken(head.seq, `the last record's hash does not match the head (tail rewritten)`);
    }
    const report = this.store.checkpointReport(anchor, head);
    const first = report.problems[0];
    if (first) return { ok: false, checked, brokenAt: first.seq, reason: first.reason, head, checkpoints: report };
    // The stamp from before the walk: an outside write during it means a full walk next time.
    this.verified = { anchor, point: { seq: head.seq, hash: head.hash }, stamp };
    return { ok: true, checked, head, checkpoints: report };
  }

  /** Whether a remembered verified point can be built on: same anchor, no outside write, its record unchanged. */
  private stillHolds(mem: Remembered, anchor: ChainPoint, stamp: ChangeStamp): boolean {
    if (!sameStamp(mem.stamp, stamp) || !samePoint(mem.anchor, anchor)) return false;
    if (mem.point.seq === anchor.seq) return mem.point.hash === anchor.hash;
    return this.store.hashAt(mem.point.seq) === mem.point.hash;
  }
}

function samePoint(a: ChainPoint, b: ChainPoint): boolean {
  return a.seq === b.seq && a.hash === b.hash;
}
