// The paper runtime in process: restart and resume, start-up recovery (pending intents
// resolved by query, refusals with reasons), the durable venue. The crash tests with real
// child processes are in crash-recovery.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { currentProcess } from '../../../src/core/process-identity.ts';
import { ManualClock, systemClock } from '../../../src/core/clock.ts';
import { openDatabase } from '../../../src/persistence/database.ts';
import { SqlitePaperVenueStore } from '../../../src/persistence/sqlite-paper-venue-store.ts';
import { SqliteRuntimeStateStore } from '../../../src/persistence/sqlite-runtime-state-store.ts';
import { GovernanceEngine } from '../../../src/governance/governance-engine.ts';
import { KillSwitch } from '../../../src/kill-switch/kill-switch.ts';
import { OpsServer } from '../../../src/server/ops-server.ts';
import { PaperBroker, type PaperVenueChange } from '../../../src/adapters/venue/paper-broker.ts';
import type { OrderIntent } from '../../../src/domain/order.ts';
import { OWNER_KEY } from '../../../src/modes/paper/owner-lease.ts';
import { CURSOR_KEY } from '../../../src/modes/paper/resume-cursor.ts';
import { ABORT_REASON, NOT_RECEIVED_REASON } from '../../../src/modes/recovery/recovery.ts';
import { OrdinisError } from '../../../src/errors.ts';
import { FileReplaySource } from '../../../src/adapters/data/file-replay-source.ts';
import type { Bar } from '../../../src/domain/market.ts';
import type { CycleResult } from '../../../src/kernel/cycle-result.ts';
import { ManualBarFeed } from '../../../src/adapters/data/live-bar-feed.ts';
import { SAMPLE_DATA, assertBooksSound, fillTape, openPaper, readBooks, tempDir } from './paper-support.ts';

test('a stopped run resumes after its last finished bar; FEAT/SIG warm up; the result equals one uninterrupted run', async (t) => {
  const dir = tempDir(t);
  const whole = await openPaper(t, join(dir, 'whole.db'));
  const w = await whole.rt.run();
  assert.equal(w.endReason, 'data_exhausted');
  assert.ok(w.venue.fills >= 4, `want a few trades to compare, got ${w.venue.fills}`);
  whole.db.close();

  const path = join(dir, 'split.db');
  const first = await openPaper(t, path, { maxCycles: 30 });
  const s1 = await first.rt.run();
  assert.equal(s1.endReason, 'max_cycles');
  assert.equal(s1.cycles.total, 30);
  first.db.close();

  const second = await openPaper(t, path);
  assert.equal(second.rt.recovery.ok, true, second.rt.recovery.reasons.join('; '));
  const s2 = await second.rt.run();
  assert.equal(s2.resumedAfter, s1.lastBarTime);
  assert.equal(s2.warmupBars, 30, 'FEAT/SIG rebuilt from the 30 bars already traded');
  assert.equal(s1.cycles.total + s2.cycles.total, w.cycles.total, 'no bar traded twice, none skipped');
  second.db.close();

  const a = readBooks(join(dir, 'whole.db'));
  const b = readBooks(path);
  assertBooksSound(b);
  assert.deepEqual(fillTape(b), fillTape(a));
  assert.equal(b.venueCash, a.venueCash);
  assert.equal(s2.venue.cash, w.venue.cash);
});

test('pending intents are resolved by query: a known order gets its answer, an unknown one is closed and never sent', async (t) => {
  const path = join(tempDir(t), 'pending.db');
  const first = await openPaper(t, path, { maxCycles: 25 });
  const s1 = await first.rt.run();
  first.db.close();

  // A crash between "intent persisted" and "answer persisted", twice: once after the venue
  // took the order, once before it ever saw it.
  const db = openDatabase({ path });
  const ts = Date.parse(s1.lastBarTime!);
  const intent = (id: string, qty: number): OrderIntent => ({
    clientOrderId: id, idempotencyKey: `key-${id}`, correlationId: 'crashed-cycle', signalId: `sig-${id}`,
    symbol: 'ORCL', side: 'buy', qty, orderType: 'market', timeInForce: 'gtc', ts,
  });
  const store = SqlitePaperVenueStore.on(db);
  const venue = new PaperBroker({ state: store.load()!, store, clock: new ManualClock(ts) });
  db.orders.insertIntent(intent('ord-known', 1));
  venue.submit(intent('ord-known', 1));
  db.orders.insertIntent(intent('ord-unknown', 2));
  const venueOrdersBefore = store.listOrders().length;
  db.close();

  const second = await openPaper(t, path, { maxCycles: 15 });
  const rec = second.rt.recovery;
  assert.equal(rec.ok, true, rec.reasons.join('; '));
  const byId = new Map(rec.pendingOrders.map((p) => [p.clientOrderId, p]));
  assert.equal(byId.get('ord-known')?.outcome, 'answered');
  assert.equal(byId.get('ord-known')?.status, 'submitted');
  assert.match(byId.get('ord-known')?.brokerOrderId ?? '', /^paper-\d+$/);
  assert.equal(byId.get('ord-unknown')?.outcome, 'not_received');
  assert.deepEqual(rec.auditedOrders, ['ord-known'], 'the submission audit record the crash skipped is written');
  const unknown = second.db.orders.findByClientOrderId('ord-unknown')!;
  assert.equal(unknown.status, 'canceled');
  assert.equal(unknown.lastReport?.rejectReason, NOT_RECEIVED_REASON);
  assert.equal(second.db.orders.findByClientOrderId('ord-known')!.status, 'submitted');

  await second.rt.run();
  second.db.close();
  const b = readBooks(path);
  assertBooksSound(b);
  const venueIds = b.venueOrders.map((o) => o.intent.clientOrderId);
  assert.ok(!venueIds.includes('ord-unknown'), 'never sent');
  assert.equal(venueIds.filter((id) => id === 'ord-known').length, 1);
  assert.ok(b.venueOrders.length >= venueOrdersBefore);
  assert.ok(b.venueFills.some((f) => f.clientOrderId === 'ord-known'), 'the known order filled at the next bar and was posted');
});

test('a tampered audit chain: recovery refuses with the reason, /readyz answers 503, run() throws E_RECOVERY_FAILED', async (t) => {
  const path = join(tempDir(t), 'tampered.db');
  const first = await openPaper(t, path, { maxCycles: 40 });
  await first.rt.run();
  first.db.close();

  const raw = openDatabase({ path });
  raw.handle.exec('DROP TRIGGER audit_log_no_update');
  raw.handle.prepare('UPDATE audit_log SET payload_json = ? WHERE seq = 2').run('{"edited":true}');
  // Left by a process that is gone: our pid, but another start time (the pid was reused).
  const gone = { ...currentProcess(), startedAt: 'another-start' };
  raw.runs.startRun({ runId: 'left-running', mode: 'paper', kind: 'cycle', startedAt: '1995-01-01T00:00:00.000Z', finishedAt: null, status: 'running', errorCodes: [], configSnapshotRef: null, codeVersion: '0', commitHash: 'x', parentRunId: null, abortReason: null, owner: gone });
  const venueOrders = SqlitePaperVenueStore.on(raw).listOrders().length;
  raw.close();

  const { db, rt } = await openPaper(t, path);
  const rec = rt.recovery;
  assert.equal(rec.ok, false);
  assert.match(rec.reasons[0]!, /^audit_chain: audit chain broken at seq 2: hash_self does not match/);
  assert.deepEqual(rec.abortedRuns, ['left-running'], 'runs left running are still marked aborted');
  for (const s of ['pending_orders', 'open_orders', 'ledger', 'audit_record'] as const) {
    assert.equal(rec.steps.find((x) => x.step === s)?.status, 'skipped', `${s} must not write on top of a broken chain`);
  }
  assert.equal(db.runs.getRun('left-running')?.abortReason, ABORT_REASON);

  const ready = rt.readiness();
  assert.equal(ready.ready, false);
  assert.match(ready.reasons[0]!, /^recovery failed: audit_chain: audit chain broken at seq 2/);
  await assert.rejects(rt.run(), (e: unknown) => e instanceof OrdinisError && e.code === 'E_RECOVERY_FAILED' && /audit chain broken/.test(e.message));

  const server = new OpsServer({ status: () => rt.statusReport(), db, kill: rt.pipeline.kill, metrics: new Registry(), readiness: () => rt.readiness(), port: 0 });
  const { port } = await server.listen();
  t.after(() => server.close());
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { ready: boolean; reasons: string[] };
  assert.equal(body.ready, false);
  assert.match(body.reasons.join(' '), /audit chain broken at seq 2/);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  assert.equal(SqlitePaperVenueStore.on(db).listOrders().length, venueOrders, 'nothing traded');
});

test('a ledger that does not replay to the broker account: recovery refuses and names the difference', async (t) => {
  const path = join(tempDir(t), 'mismatch.db');
  const first = await openPaper(t, path, { maxCycles: 40 });
  const s1 = await first.rt.run();
  first.db.close();

  const raw = openDatabase({ path });
  raw.ledger.appendEntries([{ ts: Date.parse(s1.lastBarTime!), correlationId: 'tamper', kind: 'cash', symbol: null, amount: 100, price: null, fillId: null, memo: 'not from any fill' }]);
  raw.close();

  const { rt } = await openPaper(t, path);
  assert.equal(rt.recovery.ok, false);
  const reason = rt.recovery.reasons.join(' | ');
  assert.match(reason, /^ledger: ledger does not reconcile with the broker: ledger cash [\d.]+ \(replayed, with 0 unposted broker fill\(s\)\) != broker cash [\d.]+/);
  assert.equal(rt.recovery.ledger!.cash - rt.recovery.ledger!.brokerCash, 100);
  await assert.rejects(rt.run(), /E_RECOVERY_FAILED|recovery failed/);
});

test('another live paper process owns the database: recovery refuses and touches nothing', async (t) => {
  const path = join(tempDir(t), 'owned.db');
  const db0 = openDatabase({ path });
  SqliteRuntimeStateStore.on(db0).set(OWNER_KEY, { pid: process.ppid, host: hostname(), sessionId: 'paper-other', since: '2025-01-01T00:00:00.000Z' });
  db0.runs.startRun({ runId: 'theirs', mode: 'paper', kind: 'cycle', startedAt: '1995-01-01T00:00:00.000Z', finishedAt: null, status: 'running', errorCodes: [], configSnapshotRef: null, codeVersion: '0', commitHash: 'x', parentRunId: null, abortReason: null });
  db0.close();

  const { db, rt } = await openPaper(t, path);
  assert.equal(rt.recovery.ok, false);
  assert.match(rt.recovery.reasons[0]!, new RegExp(`in use by another paper runtime \\(pid ${process.ppid}`));
  assert.equal(db.runs.getRun('theirs')?.status, 'running', "the other process's running cycle is left alone");
  rt.close();
  assert.equal(SqliteRuntimeStateStore.on(db).get<{ sessionId: string }>(OWNER_KEY)?.value.sessionId, 'paper-other', 'their lease is kept');
});

test('a stale lease of a dead process is taken over; the lease is released at the end', async (t) => {
  const path = join(tempDir(t), 'stale.db');
  const db0 = openDatabase({ path });
  SqliteRuntimeStateStore.on(db0).set(OWNER_KEY, { pid: 2 ** 22 + 12345, host: hostname(), sessionId: 'paper-dead', since: '2025-01-01T00:00:00.000Z' });
  db0.close();
  const { db, rt } = await openPaper(t, path, { maxCycles: 3 });
  assert.equal(rt.recovery.ok, true, rt.recovery.reasons.join('; '));
  assert.equal(SqliteRuntimeStateStore.on(db).get<{ sessionId: string }>(OWNER_KEY)?.value.sessionId, rt.sessionId);
  await rt.run();
  assert.equal(SqliteRuntimeStateStore.on(db).get(OWNER_KEY), undefined);
  assert.ok(SqliteRuntimeStateStore.on(db).get(CURSOR_KEY), 'the resume cursor stays');
});

test("a lease naming a live pid with another start time (the pid was reused) is taken over; the new owner's start time is kept", async (t) => {
  const path = join(tempDir(t), 'reused.db');
  const db0 = openDatabase({ path });
  // process.ppid is alive, but the start time recorded is not its own: another program had that pid.
  SqliteRuntimeStateStore.on(db0).set(OWNER_KEY, { pid: process.ppid, host: hostname(), startedAt: '1@not-this-boot', sessionId: 'paper-reused', since: '2025-01-01T00:00:00.000Z' });
  db0.close();
  const { db, rt } = await openPaper(t, path, { maxCycles: 1 });
  assert.equal(rt.recovery.ok, true, rt.recovery.reasons.join('; '));
  const lease = SqliteRuntimeStateStore.on(db).get<{ sessionId: string; pid: number; startedAt: string | null }>(OWNER_KEY)?.value;
  assert.equal(lease?.sessionId, rt.sessionId);
  assert.equal(lease?.pid, process.pid);
  assert.equal(lease?.startedAt, currentProcess().startedAt);
  rt.close();
});

test('the kill switch state survives a restart: ACTIVE is restored and every cycle is blocked', async (t) => {
  const path = join(tempDir(t), 'kill.db');
  const first = await openPaper(t, path, { maxCycles: 20 });
  await first.rt.run();
  const ordersBefore = first.db.orders.listAll().length;
  const gov = new GovernanceEngine({ policyVersion: 'gov_v1', store: first.db.audit, clock: systemClock });
  new KillSwitch({ store: first.db.killSwitch, clock: systemClock, governance: gov, failSafe: true }).activate('operator test', 'tester');
  first.db.close();

  const { db, rt } = await openPaper(t, path, { maxCycles: 60 });
  assert.equal(rt.recovery.ok, true);
  assert.deepEqual(rt.recovery.killSwitch, { state: 'ACTIVE', reason: 'operator test', unreadable: null });
  assert.match(rt.recovery.warnings.join(' '), /kill switch ACTIVE: operator test/);
  const s = await rt.run();
  assert.equal(s.cycles.blocked, s.cycles.total);
  assert.equal(db.orders.listAll().length, ordersBefore, 'no order while the switch is active');
});

test('durable venue: every change is stored before the call returns; a store failure makes it refuse until rebuilt', (t) => {
  const path = join(tempDir(t), 'venue.db');
  const db = openDatabase({ path });
  t.after(() => db.close());
  const store = SqlitePaperVenueStore.on(db);
  store.create(1000);
  const clock = new ManualClock(1000);
  let failNext = false;
  const venue = new PaperBroker({
    state: store.load()!,
    clock,
    store: {
      commit(change: PaperVenueChange) {
        if (failNext) throw new Error('disk full');
        store.commit(change);
      },
    },
  });
  const bar = (ts: number, open: number) => ({ symbol: 'X', ts, open, high: open, low: open, close: open, volume: 1 });
  const intent: OrderIntent = { clientOrderId: 'c1', idempotencyKey: 'k1', correlationId: 'r1', signalId: 's1', symbol: 'X', side: 'buy', qty: 2, orderType: 'market', timeInForce: 'gtc', ts: 1000 };
  venue.onBar(bar(1000, 10));
  venue.submit(intent);
  assert.equal(store.listOrders()[0]!.resting, true, 'the accepted order is on record before submit returned');
  venue.onBar(bar(2000, 11));
  assert.equal(venue.fetchAccount().cash, 1000 - 22);
  assert.equal(store.load()!.cash, 978, 'the fill is on record before fetchAccount returned');
  assert.equal(store.listFills().length, 1);

  const rebuilt = new PaperBroker({ state: store.load()!, store, clock });
  assert.deepEqual(rebuilt.fetchOrder('c1'), venue.fetchOrder('c1'));
  assert.deepEqual(rebuilt.exportState(), venue.exportState());
  assert.equal(rebuilt.submit(intent).orderId, 'paper-1', 'a duplicate submit after a restart returns the same order');

  failNext = true;
  assert.throws(() => venue.submit({ ...intent, clientOrderId: 'c2', idempotencyKey: 'k2' }), /E_EXEC_BROKER_UNAVAILABLE|could not be stored/);
  failNext = false;
  assert.throws(() => venue.fetchAccount(), (e: unknown) => e instanceof OrdinisError && e.code === 'E_EXEC_BROKER_UNAVAILABLE');
  assert.equal(store.listOrders().length, 1, 'the refused change never reached the record');
  const again = new PaperBroker({ state: store.load()!, store, clock });
  assert.equal(again.fetchOrder('c2'), undefined, 'rebuilt from its record, the venue never had c2');
});

test('live feed: bars arriving between timer cycles are buffered for the next one; staleness by the clock; restart warms up from history', async (t) => {
  const source = new FileReplaySource({ files: [SAMPLE_DATA], symbols: ['ORCL'], to: '1995-04-28' });
  const bars: Bar[] = [];
  for (let b = source.next(); b; b = source.next()) bars.push(...b.bars);
  source.close();
  const path = join(tempDir(t), 'live.db');
  const clock = new ManualClock(bars[0]!.ts);
  const feed = new ManualBarFeed(['ORCL']);
  const taken: number[] = [];
  const statuses: string[] = [];
  const observer = {
    cycleFinished: (r: CycleResult) => {
      taken.push(Number(r.stageResults.find((s) => s.stage === 'ING')?.output?.bars ?? -1));
      statuses.push(r.status);
    },
  };
  const first = await openPaper(t, path, { data: { kind: 'live', feed, clock, cadence: { kind: 'interval', ms: 5 } }, observer });
  const run = first.rt.run();
  const cycles = () => first.rt.schedulerStats()?.cycles ?? 0;
  const waitCycles = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (cycles() < n) {
      if (Date.now() > deadline) throw new Error(`only ${cycles()} of ${n} cycles ran`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  // Feed in bursts: everything that arrives between two cycles goes to the next one.
  for (let i = 0; i < 40; i += 4) {
    clock.set(bars[i + 3]!.ts + 1000);
    const before = cycles();
    for (const b of bars.slice(i, i + 4)) feed.emit(b);
    await waitCycles(before + 2);
  }
  clock.advance(60_000); // no bar for a minute: stale, trading blocked
  const before = cycles();
  await waitCycles(before + 2);
  await first.rt.stop();
  const s1 = await run;
  assert.equal(feed.running, false, 'the feed is stopped with the runtime');
  assert.equal(taken.reduce((a, n) => a + n, 0), 40, 'every bar reached ING once');
  assert.ok(taken.some((n) => n === 4), 'a burst arrived in one cycle');
  assert.equal(statuses.at(-1), 'blocked', 'stale data blocks');
  assert.equal(s1.lastBarTime, new Date(bars[39]!.ts).toISOString());
  first.db.close();

  // Restart: FEAT/SIG warm up from the feed's history up to the resume point; older bars
  // arriving again are dropped, newer ones traded.
  const feed2 = new ManualBarFeed(['ORCL'], { history: bars.slice(0, 40) });
  const second = await openPaper(t, path, { data: { kind: 'live', feed: feed2, clock, cadence: { kind: 'interval', ms: 5 } }, maxCycles: 3 });
  assert.equal(second.rt.recovery.ok, true, second.rt.recovery.reasons.join('; '));
  const run2 = second.rt.run();
  clock.set(bars[40]!.ts + 1000);
  feed2.emit(bars[39]!);
  feed2.emit(bars[40]!);
  const s2 = await run2;
  assert.equal(s2.warmupBars, 40);
  assert.equal(s2.resumedAfter, s1.lastBarTime);
  assert.equal(s2.lastBarTime, new Date(bars[40]!.ts).toISOString());
  second.db.close();
  assertBooksSound(readBooks(path));
});
