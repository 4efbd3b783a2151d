// The ops commands' flag validation, in-process (the CLI tests check that these errors reach
// the terminal; here, every rule).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListFlags } from '../../src/cli/actions/ops-runs.ts';
import { operatorText } from '../../src/cli/actions/ops-common.ts';
import { OrdinisError } from '../../src/errors.ts';

const invalid = (message: RegExp) => (e: unknown) => e instanceof OrdinisError && e.code === 'E_CFG_INVALID' && message.test(e.message);

test('runs list flags: --limit 1..1000 as a plain integer, known --status and --kind, --all xor --parent', () => {
  const bad = (flags: Parameters<typeof parseListFlags>[0], message: RegExp) =>
    assert.throws(() => parseListFlags(flags), invalid(message));
  for (const limit of ['0', '1001', '-1', 'abc', '1e2', '2.5', '', '99999999']) bad({ limit }, /--limit .*expected an integer from 1 to 1000/);
  bad({ status: 'done' }, /--status "done": expected one of running, ok, degraded, failed, blocked, aborted/);
  bad({ kind: 'live' }, /--kind "live": expected one of cycle, backtest/);
  bad({ all: true, parent: 'bt-1' }, /--all or --parent/);
  assert.deepEqual(parseListFlags({}), { limit: 50, parentRunId: null });
  assert.deepEqual(parseListFlags({ limit: '1000', status: 'ok', kind: 'cycle', all: true }), { limit: 1000, status: 'ok', kind: 'cycle', parentRunId: undefined });
  assert.deepEqual(parseListFlags({ limit: ' 7 ', parent: 'bt-1' }), { limit: 7, parentRunId: 'bt-1' });
});

test('operator text (--actor, --reason): required, trimmed, not blank, bounded, no control characters', () => {
  assert.equal(operatorText('--actor', '  alice ', 100), 'alice');
  assert.equal(operatorText('--reason', 'café halt — 5%', 500), 'café halt — 5%');
  assert.equal(operatorText('--actor', 'x'.repeat(100), 100), 'x'.repeat(100));
  assert.throws(() => operatorText('--actor', undefined, 100), invalid(/--actor is required/));
  assert.throws(() => operatorText('--actor', '   ', 100), invalid(/--actor must not be empty/));
  assert.throws(() => operatorText('--reason', 'x'.repeat(501), 500), invalid(/--reason must be at most 500 characters/));
  for (const bad of ['ali\u001bce', 'a\nb', 'a\u0000', 'a\u009bb']) {
    assert.throws(() => operatorText('--actor', bad, 100), invalid(/--actor must not contain control characters/), JSON.stringify(bad));
  }
});
