// Issue 11, item 8: slow clients cannot hold the ops server. Real sockets on 127.0.0.1 against
// a real OpsServer with short, test-configured limits. The dribbling clients keep their side
// open after the server's answer (allowHalfOpen) and keep writing, as a hostile client does:
// a socket only counts as released once the server has really closed it. Bounds are
// generous (seconds for limits of a few hundred ms); nothing here measures speed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { loadConfig } from '../../src/config/load.ts';
import type { OrdinisError } from '../../src/errors.ts';
import { OpsServer, opsLimitsFromConfig } from '../../src/server/ops-server.ts';
import { TOKEN, startOps } from './ops-harness.ts';

const GENEROUS_MS = 8_000;

interface Dribbler {
  socket: Socket;
  received: () => string;
  /** Resolves true when the server closed the connection, false if it was still open after `ms`. */
  closedWithin(ms: number): Promise<boolean>;
  stop(): void;
}

/** Connects, sends `head`, then one byte of `drip` every 50 ms until closed. */
async function dribble(port: number, head: string, drip: string): Promise<Dribbler> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await once(socket, 'connect');
  let data = '';
  socket.setEncoding('utf8').on('data', (d: string) => (data += d));
  socket.on('error', () => {}); // EPIPE / ECONNRESET once the server is gone: expected
  let closed = false;
  // Not events.once: it rejects on the socket's (expected) EPIPE.
  const closing = new Promise<void>((r) => socket.once('close', () => r())).then(() => (closed = true));
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length]!);
  }, 50);
  socket.on('close', () => clearInterval(timer));
  return {
    socket,
    received: () => data,
    closedWithin: async (ms) => {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([closing, new Promise((r) => (t = setTimeout(r, ms)))]);
      clearTimeout(t);
      return closed;
    },
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

test('a client dribbling its headers is answered 408 and disconnected after the headers timeout', async (t) => {
  const ops = await startOps(t, { limits: { headersTimeoutMs: 300, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 2_000, maxConnections: 10 } });
  const port = Number(new URL(ops.base).port);
  const d = await dribble(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaa\r\n');
  t.after(() => d.stop());
  assert.equal(await d.closedWithin(GENEROUS_MS), true, 'the server closed the dribbling connection');
  assert.match(d.received(), /^HTTP\/1\.1 408 /);
  assert.equal((await ops.api('/healthz')).status, 200, 'the server still answers');
});

test('a client dribbling its body is disconnected after the request timeout', async (t) => {
  const ops = await startOps(t, { limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 2_000, maxConnections: 10 } });
  const port = Number(new URL(ops.base).port);
  const head = `POST /kill/activate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"reason":"`;
  const d = await dribble(port, head, 'a');
  t.after(() => d.stop());
  assert.equal(await d.closedWithin(GENEROUS_MS), true, 'the server closed the dribbling connection');
  assert.equal(ops.kill.isActive(), false, 'the incomplete request changed nothing');
  assert.equal((await ops.api('/healthz')).status, 200, 'the server still answers');
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async (t) => {
  const ops = await startOps(t, { limits: { headersTimeoutMs: 2_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 300, maxConnections: 10 } });
  const port = Number(new URL(ops.base).port);
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  t.after(() => socket.destroy());
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  const [first] = (await once(socket.setEncoding('utf8'), 'data')) as [string];
  assert.match(first, /^HTTP\/1\.1 200 /);
  // Then silence: the server ends the connection on its own.
  // Ten times the configured timeout, and under the server's built-in 5 s default.
  const ended = await Promise.race([once(socket, 'end').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3_000).unref())]);
  assert.equal(ended, true, 'the server ended the idle connection');
});

test('at the connection cap a new connection is closed unanswered; below it the server answers /healthz', async (t) => {
  const ops = await startOps(t, { limits: { headersTimeoutMs: 20_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 2_000, maxConnections: 3 } });
  const port = Number(new URL(ops.base).port);
  const held: Socket[] = [];
  t.after(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    await once(s, 'connect');
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers never finished: the connection stays busy
    held.push(s);
  }
  // Let the server register the three before the fourth arrives.
  await new Promise((r) => setTimeout(r, 100));

  const extra = connect({ host: '127.0.0.1', port });
  let answer = '';
  extra.setEncoding('utf8').on('data', (d: string) => (answer += d));
  extra.on('error', () => {});
  const extraClosed = new Promise<boolean>((r) => extra.once('close', () => r(true)));
  extra.on('connect', () => extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
  const closed = await Promise.race([extraClosed, new Promise<boolean>((r) => setTimeout(() => r(false), GENEROUS_MS).unref())]);
  assert.equal(closed, true, 'the connection over the cap was closed');
  assert.equal(answer, '', 'and got no answer');
  assert.ok(ops.logs.some((l) => l.msg === 'ops API connection refused: connection cap reached'), 'the refusal is logged');

  held.pop()!.destroy();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await ops.api('/healthz', { headers: { connection: 'close' } })).status, 200, 'below the cap the server answers');
});

test('limits node would refuse are refused up front, naming the keys', async (t) => {
  const ops = await startOps(t);
  const deps = { status: () => ({}), db: ops.db, kill: ops.kill, metrics: ops.registry, readiness: () => ({ ready: true, reasons: [] }), port: 0 };
  assert.throws(
    () => new OpsServer({ ...deps, limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, maxConnections: 10 } }),
    (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /API_HEADERS_TIMEOUT_MS \(5000\) must not exceed API_REQUEST_TIMEOUT_MS \(1000\)/.test(e.message),
  );
  assert.throws(() => new OpsServer({ ...deps, limits: { headersTimeoutMs: 100, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, maxConnections: 0 } }), (e: OrdinisError) => e.code === 'E_CFG_INVALID' && /maxConnections/.test(e.message));
  assert.deepEqual(
    opsLimitsFromConfig(loadConfig({ env: { ORDINIS_API_MAX_CONNECTIONS: '7', ORDINIS_API_HEADERS_TIMEOUT_MS: '2000' } }).config),
    { headersTimeoutMs: 2_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 7 },
  );
});
