import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOG, OrdinisError, toOrdinisError, errorInfo } from '../src/errors.ts';

test('every catalogued code is E_-prefixed and upper snake case', () => {
  for (const code of Object.keys(ERROR_CATALOG)) assert.match(code, /^E_[A-Z]+(_[A-Z]+)*$/);
});

test('OrdinisError carries code, retryable flag from the catalogue, and cause', () => {
  const cause = new Error('disk full');
  const e = new OrdinisError('E_DB_UNAVAILABLE', 'cannot write run row', { cause });
  assert.equal(e.code, 'E_DB_UNAVAILABLE');
  assert.equal(e.retryable, true);
  assert.equal(e.cause, cause);
  assert.match(e.message, /^E_DB_UNAVAILABLE: cannot write run row$/);
  assert.equal(new OrdinisError('E_ORCH_STAGE_FAILED').retryable, false);
  assert.equal(new OrdinisError('E_ORCH_STAGE_FAILED', 'x', { retryable: true }).retryable, true);
});

test('foreign errors are wrapped with the original as cause', () => {
  const raw = new TypeError('boom');
  const e = toOrdinisError(raw, 'E_SIG_STRATEGY_FAILED');
  assert.equal(e.code, 'E_SIG_STRATEGY_FAILED');
  assert.equal(e.cause, raw);
  assert.deepEqual(errorInfo(raw, 'SIG'), { code: 'E_INTERNAL', message: 'E_INTERNAL: boom', retryable: false, stage: 'SIG' });
});
