import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { ERROR_CATALOG, OrdinisError, isErrorCode } from '../../src/errors.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ApiError, ERROR_STATUS, errorAnswer } from '../../src/server/error-status.ts';
import { OpsServer, type OpsLogger } from '../../src/server/ops-server.ts';
import { assertError, assertNoStack, startOps, TOKEN } from './ops-harness.ts';

/** Sends raw bytes and returns what came back before the server closed the connection. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (data += c));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

test('unknown routes are 404 JSON, before any authentication', async (t) => {
  const f = await startOps(t);
  assert.match(assertError(await f.api('/nope'), 404, 'E_API_NOT_FOUND'), /no route for GET \/nope/);
  assertError(await f.api('/healthz/'), 404, 'E_API_NOT_FOUND');
  assertError(await f.api('/kill'), 404, 'E_API_NOT_FOUND');
  assertError(await f.post('/kill/everything', {}, { token: null }), 404, 'E_API_NOT_FOUND');
});

test('a known path under the wrong method is 405 with Allow, before authentication', async (t) => {
  const f = await startOps(t);
  const cases: [string, string, string][] = [
    ['GET', '/kill/activate', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/runs/x', 'GET, HEAD'],
    ['PUT', '/metrics', 'GET, HEAD'],
    ['OPTIONS', '/status', 'GET, HEAD'],
    ['PATCH', '/kill/deactivate', 'POST'],
  ];
  for (const [method, path, allow] of cases) {
    const r = await f.api(path, { method });
    assert.match(assertError(r, 405, 'E_API_BAD_REQUEST'), /not allowed/, `${method} ${path}`);
    assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
  }
  assert.equal(f.kill.isActive(), false);
});

test('an unexpected error is 500 E_INTERNAL with a generic message; the real one is logged', async (t) => {
  const f = await startOps(t, {
    status: () => {
      throw new TypeError('cannot read properties of undefined (reading "secretField")');
    },
  });
  const r = await f.api('/status');
  assert.equal(assertError(r, 500, 'E_INTERNAL'), 'internal error');
  assert.deepEqual(Object.keys(r.json.error), ['code', 'message']);
  assert.doesNotMatch(r.text, /secretField|TypeError/);
  const logged = f.logs.find((l) => l.level === 'error');
  assert.equal(logged?.msg, 'ops API request failed');
  assert.equal(logged?.obj.path, '/status');
  assert.match((logged?.obj.err as Error).stack ?? '', /secretField/);
});

test('a reply that cannot be serialised becomes a generic 500', async (t) => {
  const f = await startOps(t, { status: () => ({ big: 10n }) });
  assert.equal(assertError(await f.api('/status'), 500, 'E_INTERNAL'), 'internal error');
  assert.ok(f.logs.some((l) => l.level === 'error' && l.msg === 'ops API reply could not be written'));
  // The server is still serving.
  assert.equal((await f.api('/healthz')).status, 200);
});

test('malformed HTTP and oversized headers get the JSON error shape too', async (t) => {
  const f = await startOps(t);
  const port = Number(new URL(f.base).port);
  const garbage = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
  assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/);
  const body = garbage.slice(garbage.indexOf('\r\n\r\n') + 4);
  assert.equal(JSON.parse(body).error.code, 'E_API_BAD_REQUEST');
  assertNoStack(body);

  const huge = await rawExchange(port, `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
  assert.match(huge, /^HTTP\/1\.1 431 /);
  assert.equal(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4)).error.code, 'E_API_BAD_REQUEST');
});

test('a chunked body that never stops is cut off at the drain limit: 413 and the connection closed', async (t) => {
  const f = await startOps(t);
  const result = await new Promise<{ status: number; connection: unknown }>((resolve, reject) => {
    const req = request(`${f.base}/kill/activate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    // The server stops reading and closes; our writes may then fail, which is expected.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < 4 * 1024 * 1024 && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    req.write('{"reason":"');
    pump();
  });
  assert.equal(result.status, 413);
  assert.equal(result.connection, 'close');
  assert.equal(f.kill.isActive(), false);
});

test('errorAnswer: the status table, generic 5xx messages, details only from the HTTP layer', () => {
  for (const [code, status] of Object.entries(ERROR_STATUS)) {
    assert.ok(isErrorCode(code), code);
    assert.ok(status >= 400 && status <= 599, `${code} → ${status}`);
  }
  const notFound = errorAnswer(new OrdinisError('E_API_NOT_FOUND', 'no run with id "x"'));
  assert.deepEqual(notFound, { status: 404, body: { error: { code: 'E_API_NOT_FOUND', message: 'no run with id "x"' } }, headers: {}, serverFault: false });

  const db = errorAnswer(new OrdinisError('E_DB_UNAVAILABLE', 'database /srv/x.db is closed', { details: { path: '/srv/x.db' } }));
  assert.deepEqual(db, { status: 503, body: { error: { code: 'E_DB_UNAVAILABLE', message: ERROR_CATALOG.E_DB_UNAVAILABLE.message } }, headers: {}, serverFault: true });
  // Storage that cannot be written, or a run stopped by it, is the service being unavailable, not a bug (500).
  for (const code of ['E_DB_READ_ONLY', 'E_DB_SCHEMA_TOO_OLD', 'E_ORCH_PERSISTENCE_FAILED'] as const) {
    assert.equal(errorAnswer(new OrdinisError(code, 'x')).status, 503, code);
  }

  // A domain error's details may carry internals; only ApiError details are sent.
  const denied = errorAnswer(new OrdinisError('E_KILL_GOV_DENIED', 'denied', { details: { internal: 1 } }));
  assert.deepEqual(denied.body, { error: { code: 'E_KILL_GOV_DENIED', message: 'denied' } });
  const bad = errorAnswer(new ApiError('E_API_BAD_REQUEST', 'bad', { details: { issues: [] }, status: 415 }));
  assert.equal(bad.status, 415);
  assert.deepEqual(bad.body.error.details, { issues: [] });

  // Codes without an entry are server faults.
  assert.equal(errorAnswer(new OrdinisError('E_LEDG_INVARIANT_BREACH', 'cash mismatch')).status, 500);
  assert.deepEqual(errorAnswer('a string').body, { error: { code: 'E_INTERNAL', message: 'internal error' } });
  assert.equal(errorAnswer(new Error('x')).serverFault, true);
});

test('the stack-frame check used on every response does catch a stack', () => {
  const stack = new Error('boom').stack!;
  assert.throws(() => assertNoStack(JSON.stringify({ error: { message: stack } })));
  assert.throws(() => assertNoStack(stack));
  assertNoStack(JSON.stringify({ kill: { activatedAt: '2025-01-06T14:30:00.000Z', reason: 'halt at the open' } }));
});

test('listen and close: ephemeral port, idempotent, port in use and bad port are E_CFG_INVALID', async (t) => {
  const f = await startOps(t);
  const deps = {
    status: () => ({}),
    db: f.db,
    kill: f.kill,
    metrics: new Registry(),
    readiness: () => ({ ready: true, reasons: [] }),
    port: 0,
  };
  assert.throws(() => new OpsServer({ ...deps, port: 70000 }), (e: OrdinisError) => e.code === 'E_CFG_INVALID');
  assert.throws(() => new OpsServer({ ...deps, port: 1.5 }), (e: OrdinisError) => e.code === 'E_CFG_INVALID');

  const a = new OpsServer(deps);
  const addr = await a.listen();
  assert.equal(addr.host, '127.0.0.1');
  assert.ok(addr.port > 0);
  assert.deepEqual(await a.listen(), addr);

  const b = new OpsServer({ ...deps, port: addr.port });
  await assert.rejects(b.listen(), (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /EADDRINUSE/.test(e.message));

  // A keep-alive connection left open does not hold close() up.
  const res = await fetch(`http://127.0.0.1:${addr.port}/healthz`, { headers: { connection: 'keep-alive' } });
  await res.text();
  const started = Date.now();
  await Promise.all([a.close(), a.close()]);
  await a.close();
  assert.ok(Date.now() - started < 2000);
  await assert.rejects(fetch(`http://127.0.0.1:${addr.port}/healthz`));
  await b.close();
});

test('a pino logger from observability/logger.ts is an OpsLogger; the token never reaches its lines', async (t) => {
  const lines: string[] = [];
  const logger: OpsLogger = createLogger({ component: 'server', destination: { write: (s: string) => void lines.push(s) } });
  const f = await startOps(t);
  const server = new OpsServer({
    status: () => {
      throw new Error('status exploded');
    },
    db: f.db,
    kill: f.kill,
    metrics: f.registry,
    readiness: () => ({ ready: true, reasons: [] }),
    token: TOKEN,
    port: 0,
    logger,
  });
  const { port } = await server.listen();
  t.after(() => server.close());
  await (await fetch(`http://127.0.0.1:${port}/status`)).text();
  await (await fetch(`http://127.0.0.1:${port}/kill/activate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}x` } })).text();
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>);
  const failure = parsed.find((l) => l.msg === 'ops API request failed');
  assert.equal(failure?.level, 'error');
  assert.equal(failure?.err?.message, 'status exploded');
  assert.ok(parsed.some((l) => l.msg === 'ops API listening' && l.mutatingRoutes === true));
  assert.ok(parsed.some((l) => l.msg === 'ops API: unauthorized request'));
  assert.ok(!lines.join('').includes(TOKEN));
});
