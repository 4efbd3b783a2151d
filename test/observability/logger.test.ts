import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, componentLogger } from '../../src/observability/logger.ts';

function capture(): { lines: () => Record<string, unknown>[]; destination: { write(s: string): void } } {
  const chunks: string[] = [];
  return {
    destination: { write: (s: string) => void chunks.push(s) },
    lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('JSON lines with level name, RFC 3339 time, component and msg', () => {
  const out = capture();
  const log = createLogger({ level: 'info', component: 'orch', destination: out.destination });
  log.info({ stage: 'SIG' }, 'stage done');
  log.debug('dropped below the level');
  const [line, ...rest] = out.lines();
  assert.equal(rest.length, 0);
  assert.equal(line.level, 'info');
  assert.equal(line.component, 'orch');
  assert.equal(line.msg, 'stage done');
  assert.equal(line.stage, 'SIG');
  assert.match(String(line.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.equal('pid' in line, false);
});

test('component children replace the component (never repeat it) and keep level and destination', () => {
  const chunks: string[] = [];
  const root = createLogger({ level: 'debug', component: 'orch', destination: { write: (s: string) => void chunks.push(s) } });
  componentLogger(componentLogger(root, 'orch.engine'), 'kill-switch').debug('checked');
  const raw = chunks.join('');
  assert.equal(raw.match(/"component"/g)?.length, 1, raw);
  const line = JSON.parse(raw) as Record<string, unknown>;
  assert.equal(line.component, 'kill-switch');
  assert.equal(line.level, 'debug');
});

test('credentials are masked in log fields', () => {
  const out = capture();
  const log = createLogger({ component: 'server', destination: out.destination });
  log.info({ token: 'sekrit', headers: { authorization: 'Bearer sekrit' }, config: { API_TOKEN: 'sekrit' } }, 'request');
  const raw = JSON.stringify(out.lines()[0]);
  assert.ok(!raw.includes('sekrit'), raw);
  assert.equal(out.lines()[0].token, '***');
});
