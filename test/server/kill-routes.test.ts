import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { OrdinisError } from '../../src/errors.ts';
import { assertError, startOps, TOKEN, type OpsFixture } from './ops-harness.ts';

const ACTIVATE = { reason: 'manual halt: venue outage', actor: 'alice' };

/** Audit records written for the kill switch, oldest first. */
const killAudit = (f: OpsFixture) => f.db.audit.list({ limit: 1000 }).filter((r) => r.component === 'kill');

test('a server without a token refuses mutations with 403, whatever the caller sends', async (t) => {
  const f = await startOps(t, { token: null });
  for (const tok of [null, '', 'anything', TOKEN]) {
    const r = await f.post('/kill/activate', ACTIVATE, { token: tok });
    assert.equal(assertError(r, 403, 'E_API_UNAUTHORIZED'), 'mutating routes are disabled: no API_TOKEN configured');
  }
  assertError(await f.post('/kill/deactivate', { actor: 'bob' }), 403, 'E_API_UNAUTHORIZED');
  assert.equal(f.kill.isActive(), false);
  assert.deepEqual(killAudit(f), []);
  // Reads still work.
  assert.equal((await f.api('/status')).status, 200);
});

test('the bearer token: missing, malformed or wrong is 401 with a challenge; right is accepted', async (t) => {
  const f = await startOps(t);
  const missing = await f.post('/kill/activate', ACTIVATE, { token: null });
  assert.match(assertError(missing, 401, 'E_API_UNAUTHORIZED'), /missing bearer token/);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');

  for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer a', `Basic ${TOKEN}`, `${TOKEN}`, `Bearer ${TOKEN} extra`, 'Bearer ']) {
    const r = await f.api('/kill/activate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(ACTIVATE),
    });
    assert.match(assertError(r, 401, 'E_API_UNAUTHORIZED'), /wrong bearer token|missing bearer token/, authorization);
  }
  assert.equal(f.kill.isActive(), false, 'no unauthorised request changed the switch');
  assert.ok(f.logs.some((l) => l.level === 'warn' && l.msg === 'ops API: unauthorized request'));
  assert.ok(!JSON.stringify(f.logs).includes(TOKEN), 'the token never reaches the log');

  // The scheme is case-insensitive (RFC 7235).
  const ok = await f.api('/kill/activate', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `bearer ${TOKEN}` },
    body: JSON.stringify(ACTIVATE),
  });
  assert.equal(ok.status, 200);
});

test('authentication comes before the body: a wrong token with a bad body is 401, not 400', async (t) => {
  const f = await startOps(t);
  assertError(await f.post('/kill/activate', '{not json', { token: 'wrong' }), 401, 'E_API_UNAUTHORIZED');
  assertError(await f.post('/kill/activate', 'x', { token: 'wrong', contentType: 'text/plain' }), 401, 'E_API_UNAUTHORIZED');
});

test('activation over HTTP: the switch is ACTIVE, /status shows it, the audit log names the actor, the chain verifies', async (t) => {
  const f = await startOps(t);
  const r = await f.post('/kill/activate', ACTIVATE);
  assert.equal(r.status, 200);
  assert.equal(r.json.kill.state, 'ACTIVE');
  assert.equal(r.json.kill.actor, 'alice');
  assert.equal(r.json.kill.reason, ACTIVATE.reason);
  assert.equal(r.json.kill.activatedAt, '2025-01-06T14:30:00.000Z');

  const status = await f.api('/status');
  assert.equal(status.json.kill.state, 'ACTIVE');
  assert.equal(status.json.kill.actor, 'alice');
  assert.equal(status.json.engine.kill.state, 'ACTIVE');
  assert.equal(status.json.engine.kill.reason, ACTIVATE.reason);
  // Persisted, not only in memory.
  assert.equal(f.db.killSwitch.load()?.state, 'ACTIVE');

  const audit = killAudit(f);
  assert.deepEqual(
    audit.map((a) => [a.kind, a.action, a.actor]),
    [
      ['gov.preflight', 'kill.activate', 'alice'],
      ['kill.activate', 'kill.activated', 'alice'],
    ],
  );
  assert.equal(audit[1]!.payload.reason, ACTIVATE.reason);
  assert.equal(audit[1]!.policyVersion, 'gov_v1');

  const verify = await f.api('/audit/verify');
  assert.equal(verify.json.ok, true);
  assert.equal(verify.json.checked, 2);
  assert.ok(f.logs.some((l) => l.msg === 'ops API mutation' && l.obj.status === 200 && l.obj.path === '/kill/activate'));
});

test('activating an active switch is 409 E_KILL_ALREADY_ACTIVE and keeps the first reason', async (t) => {
  const f = await startOps(t);
  assert.equal((await f.post('/kill/activate', ACTIVATE)).status, 200);
  const again = await f.post('/kill/activate', { reason: 'another', actor: 'carol' });
  assert.match(assertError(again, 409, 'E_KILL_ALREADY_ACTIVE'), /already active since/);
  assert.equal(f.kill.get().reason, ACTIVATE.reason);
  assert.equal(f.kill.get().actor, 'alice');
});

test('deactivation: a machine actor is 403 E_KILL_GOV_DENIED; a person lifts it; again is 409 E_KILL_ALREADY_INACTIVE', async (t) => {
  const f = await startOps(t);
  assertError(await f.post('/kill/deactivate', { actor: 'bob' }), 409, 'E_KILL_ALREADY_INACTIVE');
  await f.post('/kill/activate', ACTIVATE);

  const denied = await f.post('/kill/deactivate', { actor: 'system' });
  assert.match(assertError(denied, 403, 'E_KILL_GOV_DENIED'), /GOV\.KILL\.HUMAN_RESET_REQUIRED/);
  assert.equal(f.kill.isActive(), true);

  const ok = await f.post('/kill/deactivate', { actor: 'bob' });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.kill.state, 'INACTIVE');
  assert.equal((await f.api('/status')).json.kill.state, 'INACTIVE');
  assertError(await f.post('/kill/deactivate', { actor: 'bob' }), 409, 'E_KILL_ALREADY_INACTIVE');

  const audit = killAudit(f).map((a) => [a.kind, a.actor, a.decision]);
  assert.deepEqual(audit, [
    ['gov.preflight', 'alice', 'allow'],
    ['kill.activate', 'alice', 'ACTIVE'],
    ['gov.preflight', 'system', 'deny'],
    ['gov.preflight', 'bob', 'allow'],
    ['kill.deactivate', 'bob', 'INACTIVE'],
  ]);
  assert.equal((await f.api('/audit/verify')).json.ok, true);
});

test('bad bodies are refused (400/413/415) and change nothing', async (t) => {
  const f = await startOps(t);
  const cases: { name: string; body: unknown; contentType?: string | null; status: number; field?: string; message?: RegExp }[] = [
    { name: 'malformed JSON', body: '{"reason": "x", "actor": ', status: 400, message: /not valid JSON/ },
    { name: 'empty body', body: '', status: 400, message: /empty/ },
    { name: 'array', body: [ACTIVATE], status: 400, field: '(root)' },
    { name: 'null', body: 'null', status: 400, field: '(root)' },
    { name: 'reason a number', body: { reason: 5, actor: 'alice' }, status: 400, field: 'reason' },
    { name: 'actor missing', body: { reason: 'x' }, status: 400, field: 'actor' },
    { name: 'unknown field', body: { ...ACTIVATE, force: true }, status: 400, field: 'force', message: /unknown field/ },
    { name: '__proto__ field', body: '{"reason":"x","actor":"alice","__proto__":{"admin":true}}', status: 400, field: '__proto__' },
    { name: 'empty reason', body: { reason: '', actor: 'alice' }, status: 400, field: 'reason' },
    { name: 'blank reason', body: { reason: '   ', actor: 'alice' }, status: 400, field: 'reason' },
    { name: 'reason too long', body: { reason: 'r'.repeat(501), actor: 'alice' }, status: 400, field: 'reason', message: /at most 500/ },
    { name: 'actor too long', body: { reason: 'x', actor: 'a'.repeat(101) }, status: 400, field: 'actor', message: /at most 100/ },
    { name: 'actor with a newline', body: { reason: 'x', actor: 'alice\n{"level":"info"}' }, status: 400, field: 'actor', message: /control characters/ },
    { name: 'too large', body: { reason: 'r'.repeat(17 * 1024), actor: 'alice' }, status: 413, message: /exceeds 16384 bytes/ },
    { name: 'text/plain', body: ACTIVATE, contentType: 'text/plain', status: 415, message: /must be application\/json/ },
    { name: 'form', body: 'reason=x&actor=y', contentType: 'application/x-www-form-urlencoded', status: 415 },
    { name: 'no content type', body: ACTIVATE, contentType: null, status: 415, message: /got none/ },
    { name: 'latin1 charset', body: ACTIVATE, contentType: 'application/json; charset=latin1', status: 415, message: /UTF-8/ },
  ];
  for (const c of cases) {
    const r = await f.post('/kill/activate', c.body, { contentType: c.contentType === undefined ? 'application/json' : c.contentType });
    const message = assertError(r, c.status, 'E_API_BAD_REQUEST');
    if (c.message) assert.match(message, c.message, c.name);
    if (c.field) {
      const fields = (r.json.error.details.issues as { field: string }[]).map((i) => i.field);
      assert.ok(fields.includes(c.field), `${c.name}: ${JSON.stringify(fields)}`);
      assert.match(message, new RegExp(`field '${c.field.replace(/[()]/g, '\\$&')}'`), c.name);
    }
  }
  assertError(await f.post('/kill/deactivate', { actor: 'bob', reason: 'x' }), 400, 'E_API_BAD_REQUEST');

  // Accepted forms: charset=utf-8 (any case, quoted) and surrounding whitespace trimmed.
  const ok = await f.post('/kill/activate', { reason: '  halt  ', actor: ' alice ' }, { contentType: 'Application/JSON; Charset="UTF-8"' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.kill.reason, 'halt');
  assert.equal(ok.json.kill.actor, 'alice');
  assert.equal(killAudit(f).length, 2, 'only the valid request reached the kill switch');
});

test('invalid UTF-8 is 400; a declared body far over the cap is 413 unread, the connection closed', async (t) => {
  const f = await startOps(t);
  const bad = await f.api('/kill/activate', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  });
  assert.match(assertError(bad, 400, 'E_API_BAD_REQUEST'), /UTF-8/);

  // node:http, so the client can declare a length it never sends.
  const { status, headers, body } = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      `${f.base}/kill/activate`,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': String(50 * 1024 * 1024) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.write('{"reason":');
  });
  assert.equal(status, 413);
  assert.equal(headers.connection, 'close');
  assert.equal(JSON.parse(body).error.code, 'E_API_BAD_REQUEST');
  assert.equal(f.kill.isActive(), false);
});

test('a switch that turned ACTIVE but could not be persisted: the caller is told it is ACTIVE, without internals', async (t) => {
  const f = await startOps(t, {
    killStore: (store) => ({
      load: () => store.load(),
      save: () => {
        throw new OrdinisError('E_DB_UNAVAILABLE', 'disk I/O error writing /srv/ordinis/data/ordinis.db');
      },
    }),
  });
  const r = await f.post('/kill/activate', ACTIVATE);
  assert.match(assertError(r, 503, 'E_DB_UNAVAILABLE'), /now ACTIVE in this process, but the change was not fully persisted or audited/);
  assert.equal(r.json.kill.state, 'ACTIVE');
  assert.doesNotMatch(r.text, /\/srv\/ordinis/);
  assert.equal(f.kill.isActive(), true);
  const logged = f.logs.find((l) => l.level === 'error');
  assert.match((logged?.obj.err as Error).message, /\/srv\/ordinis/);

  // Deactivation failing the same way leaves the switch ACTIVE: an ordinary 503.
  const d = await f.post('/kill/deactivate', { actor: 'bob' });
  assert.equal(assertError(d, 503, 'E_DB_UNAVAILABLE'), 'database unavailable');
  assert.equal(f.kill.isActive(), true);
});
