// Issue 11, item 4: no order may reach the venue after a kill activation has committed.
//
// A real `ordinis paper` process trades at full replay speed (two symbols, a fast SMA
// cross: an order every few cycles) while a second process flips the kill switch on the
// same database through the CLI's own code (test/modes/paper/kill-toggler.ts), over a hundred
// times. The test database carries two triggers that record, inside the very transaction
// that writes a venue order or an `exec.submit` audit record, the kill state committed at
// that moment. A venue order written while the committed state is ACTIVE is exactly "a
// submission after a committed activation"; the triggers see it whichever process wins.
// The audit chain is checked too: an `exec.submit` record between a `kill.activate` and the
// next `kill.deactivate` may only be the record of an order the venue took before the
// activation committed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openDatabase } from '../../../src/persistence/database.ts';
import { ROOT, childEnv, startCli } from './cli-process.ts';
import { assertBooksSound, readBooks, tempDir } from './paper-support.ts';

const ROUNDS = 120;
const DATA = ['--data', join(ROOT, 'samples', 'orcl-1995-2014.txt'), '--data', join(ROOT, 'samples', 'yhoo-1996-2014.txt')];

/** Creates the database (schema) and the observation triggers; they live in the test's file only. */
function prepareObservedDatabase(path: string): void {
  const db = openDatabase({ path });
  try {
    db.handle.exec(`
      CREATE TABLE race_observation (
        id INTEGER PRIMARY KEY,
        what TEXT NOT NULL,
        subject TEXT NOT NULL,
        kill_state TEXT
      );
      CREATE TRIGGER race_venue_order AFTER INSERT ON paper_venue_orders BEGIN
        INSERT INTO race_observation (what, subject, kill_state)
        VALUES ('venue_order', NEW.client_order_id, (SELECT state FROM kill_switch WHERE id = 1));
      END;
      CREATE TRIGGER race_exec_submit AFTER INSERT ON audit_log WHEN NEW.kind = 'exec.submit' BEGIN
        INSERT INTO race_observation (what, subject, kill_state)
        VALUES ('exec_submit', NEW.subject_ref, (SELECT state FROM kill_switch WHERE id = 1));
      END;
    `);
  } finally {
    db.close();
  }
}

function runToggler(path: string, rounds: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'modes', 'paper', 'kill-toggler.ts'), path, String(rounds)], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

interface Observation {
  what: 'venue_order' | 'exec_submit';
  subject: string;
  kill_state: string | null;
}

test('a kill committed by another process stops submissions at once: no venue order while it is active, exec.submit records after it only of orders sent before', { timeout: 180_000 }, async (t) => {
  const path = join(tempDir(t, 'ordinis-kill-race-'), 'race.db');
  prepareObservedDatabase(path);

  const paper = startCli(['--log-level', 'error', 'paper', '--db', path, ...DATA, '--fast', '2', '--slow', '4', '--qty', '10', '--json']);
  t.after(() => paper.child.kill('SIGKILL'));
  const toggler = await runToggler(path, ROUNDS);
  assert.equal(toggler.code, 0, `toggler failed:\n${toggler.stderr.slice(-2000)}`);
  const flips = JSON.parse(toggler.stdout.trim().split('\n').at(-1)!) as { activations: number; failures: number };
  paper.child.kill('SIGTERM');
  const finished = await paper.done;
  assert.equal(finished.code, 0, `paper exited ${finished.code} (${finished.signal}):\n${finished.stderr.slice(-3000)}`);

  const db = openDatabase({ path });
  let observations: Observation[];
  let leaks: { activate: number; submit: number; subject: string }[];
  try {
    observations = db.handle.prepare('SELECT what, subject, kill_state FROM race_observation ORDER BY id').all() as Observation[];
    leaks = db.handle
      .prepare(
        `SELECT a.seq AS activate, s.seq AS submit, s.subject_ref AS subject FROM audit_log a JOIN audit_log s
           ON s.kind = 'exec.submit' AND s.seq > a.seq
          AND s.seq < coalesce((SELECT min(d.seq) FROM audit_log d WHERE d.kind = 'kill.deactivate' AND d.seq > a.seq), 9e18)
         WHERE a.kind = 'kill.activate'`,
      )
      .all() as { activate: number; submit: number; subject: string }[];
  } finally {
    db.close();
  }

  const venueOrders = observations.filter((o) => o.what === 'venue_order');
  // The race was run: the loop traded throughout and was stopped and restarted many times.
  assert.ok(flips.activations >= ROUNDS, `${flips.activations} activations`);
  assert.ok(venueOrders.length >= 50, `the paper loop traded (${venueOrders.length} venue orders)`);
  const afterKill = venueOrders.filter((o) => o.kill_state === 'ACTIVE').map((o) => o.subject);
  assert.deepEqual(afterKill, [], `${afterKill.length} venue order(s) written while a committed kill was ACTIVE`);
  // An order's exec.submit record is its own commit after the venue's (as with a real
  // venue: crash-only recovery relies on those being apart), so the record of an order sent
  // just before an activation may follow kill.activate in the chain. Each such record must be
  // of an order the venue took while the committed state was INACTIVE.
  const acceptedBeforeKill = new Set(venueOrders.filter((o) => o.kill_state !== 'ACTIVE').map((o) => o.subject));
  const recordsAfterKill = observations.filter((o) => o.what === 'exec_submit' && o.kill_state === 'ACTIVE').map((o) => o.subject);
  for (const id of recordsAfterKill) assert.ok(acceptedBeforeKill.has(id), `exec.submit for ${id} while ACTIVE, of an order the venue did not take before the activation`);
  for (const l of leaks) assert.ok(acceptedBeforeKill.has(l.subject), `exec.submit #${l.submit} after kill.activate #${l.activate}: ${l.subject} was not taken by the venue before the activation`);
  t.diagnostic(`${flips.activations} activations, ${venueOrders.length} venue orders, ${recordsAfterKill.length} exec.submit record(s) of orders sent before an activation appended after it`);
  // Nothing else stopped the loop meanwhile (the paper loop's own activations, e.g. on a
  // ledger breach, would refuse the toggler's).
  assert.equal(flips.failures, 0, 'every activation and deactivation went through');
  assertBooksSound(readBooks(path));
});
