// Config keys read by the effectful shell (CLI commands and their context), each shown by what
// it changes: real `ordinis` child processes on real files, a real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { auditStoreOptions } from '../../src/cli/context.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { auditInput, tempDir } from '../persistence/temp-database.ts';
import { cli } from '../cli/cli-harness.ts';

const ORCL = join(import.meta.dirname, '..', '..', 'samples', 'orcl-1995-2014.txt');

test('BROKER_STARTING_CASH is a backtest\'s starting cash when --cash is not given', async (t) => {
  const dir = tempDir(t);
  const run = async (name: string, env: Record<string, string>, flags: string[] = []) => {
    const r = await cli(['backtest', '--from', '1998-01-01', '--to', '1998-03-31', '--db', join(dir, `${name}.db`), '--json', ...flags], { env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { orders: number; finalCash: number };
  };
  const [byDefault, byKey, byFlag] = await Promise.all([run('d', {}), run('k', { ORDINIS_BROKER_STARTING_CASH: '2500' }), run('f', { ORDINIS_BROKER_STARTING_CASH: '2500' }, ['--cash', '700'])]);
  assert.equal(byDefault.orders, 0, 'a window with no trade: the cash is the starting cash');
  assert.equal(byDefault.finalCash, 100000);
  assert.equal(byKey.finalCash, 2500);
  assert.equal(byFlag.finalCash, 700, 'the flag wins');
});

test('ING_BAD_ROW_POLICY: a malformed row fails the backtest (fail) or is skipped (skip)', async (t) => {
  const dir = tempDir(t);
  const lines = readFileSync(ORCL, 'utf8').split('\n');
  const file = join(dir, 'bad.csv');
  writeFileSync(file, [...lines.slice(0, 5), '1995-01-09,oops,,,,,', ...lines.slice(5, 100)].join('\n') + '\n');
  const failing = await cli(['backtest', '--data', file, '--db', join(dir, 'a.db'), '--json']);
  assert.notEqual(failing.code, 0);
  assert.match(failing.stderr, /E_ING_NORMALIZE_FAILED: .*bad\.csv:6: field 'open' value 'oops'/);
  const skipping = await cli(['backtest', '--data', file, '--db', join(dir, 'b.db'), '--json'], { env: { ORDINIS_ING_BAD_ROW_POLICY: 'skip' } });
  assert.equal(skipping.code, 0, skipping.stderr);
  assert.equal((JSON.parse(skipping.stdout) as { bars: number }).bars, 99);
});

test('AUDIT_CHECKPOINT_EVERY (with AUDIT_MAC_KEY): a keyed checkpoint every this many records in the SQLite file', (t) => {
  const dir = tempDir(t);
  const count = (every: string) => {
    const { config } = loadConfig({ env: { ORDINIS_AUDIT_MAC_KEY: 'k'.repeat(32), ORDINIS_AUDIT_CHECKPOINT_EVERY: every } });
    const db = openDatabase({ path: join(dir, `every-${every}.db`), audit: auditStoreOptions(config) });
    try {
      for (let i = 1; i <= 6; i++) db.audit.append(auditInput(i));
      return (db.handle.prepare('SELECT seq FROM audit_checkpoint ORDER BY seq').pluck().all() as number[]);
    } finally {
      db.close();
    }
  };
  assert.deepEqual(count('2'), [1, 3, 5], 'the first record, then every second one');
  assert.deepEqual(count('1000'), [1]);
});

test('DB_PATH is where a backtest records its run when --db is not given; ORCH_SEED is its default seed (part of the run id)', async (t) => {
  const dir = tempDir(t);
  const run = async (db: string, seed?: string) => {
    const r = await cli(['backtest', '--from', '1998-01-01', '--to', '1998-01-31', '--json'], { env: { ORDINIS_DB_PATH: join(dir, db), ...(seed ? { ORDINIS_ORCH_SEED: seed } : {}) } });
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { runId: string }).runId;
  };
  const [a, b, c] = await Promise.all([run('a.db', '7'), run('b.db', '7'), run('c.db', '8')]);
  for (const f of ['a.db', 'b.db', 'c.db']) assert.ok(existsSync(join(dir, f)), f);
  const db = openDatabase({ path: join(dir, 'a.db'), readonly: true });
  try {
    assert.equal(db.runs.getRun(a)?.runId, a);
  } finally {
    db.close();
  }
  assert.equal(a, b, 'same seed, same run id');
  assert.notEqual(a, c, 'another seed, another run');
});
