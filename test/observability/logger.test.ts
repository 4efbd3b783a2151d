import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, componentLogger, withTraceContext } from '../../src/observability/logger.ts';
import { setupTracing } from '../../src/observability/tracing.ts';

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

test('component children replace the component (never repeat it) and keep level, destination and bindings', () => {
  const chunks: string[] = [];
  const root = createLogger({ level: 'debug', component: 'orch', destination: { write: (s: string) => void chunks.push(s) } });
  const cycle = withTraceContext(root, 'c-9', { traceId: 't', spanId: 's' });
  componentLogger(cycle, 'kill-switch').debug('checked');
  const raw = chunks.join('');
  assert.equal(raw.match(/"component"/g)?.length, 1, raw);
  const line = JSON.parse(raw) as Record<string, unknown>;
  assert.equal(line.component, 'kill-switch');
  assert.equal(line.level, 'debug');
  assert.equal(line.correlation_id, 'c-9');
});

test('withTraceContext carries correlation_id, trace_id and span_id of the active span', async () => {
  const tracing = setupTracing({ exporter: 'memory', serviceName: 'log-test' });
  try {
    const out = capture();
    const log = createLogger({ component: 'orch', destination: out.destination });
    await tracing.tracer.startActiveSpan('orch.cycle', async (span) => {
      await Promise.resolve();
      withTraceContext(log, 'corr-42').info('cycle started');
      span.end();
    });
    const [line] = out.lines();
    const root = tracing.memoryExporter!.getFinishedSpans()[0];
    assert.equal(line.component, 'orch');
    assert.equal(line.correlation_id, 'corr-42');
    assert.equal(line.trace_id, root.spanContext().traceId);
    assert.equal(line.span_id, root.spanContext().spanId);
    assert.match(String(line.trace_id), /^[0-9a-f]{32}$/);
  } finally {
    await tracing.shutdown();
  }
});

test('withTraceContext: explicit span or ids; no trace fields without a valid span', () => {
  const out = capture();
  const log = createLogger({ component: 'orch', destination: out.destination });
  withTraceContext(log, 'c-1').info('no tracing');
  withTraceContext(log, 'c-2', { traceId: 'abc', spanId: 'def' }).info('given ids');
  const [a, b] = out.lines();
  assert.equal(a.correlation_id, 'c-1');
  assert.equal('trace_id' in a || 'span_id' in a, false);
  assert.equal(b.trace_id, 'abc');
  assert.equal(b.span_id, 'def');
});

test('credentials are masked in log fields', () => {
  const out = capture();
  const log = createLogger({ component: 'server', destination: out.destination });
  log.info({ token: 'sekrit', headers: { authorization: 'Bearer sekrit' }, config: { API_TOKEN: 'sekrit' } }, 'request');
  const raw = JSON.stringify(out.lines()[0]);
  assert.ok(!raw.includes('sekrit'), raw);
  assert.equal(out.lines()[0].token, '***');
});
