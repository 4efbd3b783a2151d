import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { setupTracing, tracingOptionsFromConfig } from '../../src/observability/tracing.ts';
import { ATTR, CYCLE_SPAN, STAGE_SPANS, TRACER_NAME, getTracer } from '../../src/kernel/span-names.ts';
import { CONFIG_DEFAULTS } from '../../src/config/schema.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createServer } from 'node:http';

test('memory exporter captures a cycle span and a stage child span with attributes, across awaits', async () => {
  const tracing = setupTracing({ exporter: 'memory', serviceName: 'ordinis-test', serviceVersion: '0.0.1' });
  try {
    const tracer = getTracer(tracing.provider);
    await tracer.startActiveSpan(CYCLE_SPAN, { attributes: { [ATTR.correlationId]: 'c-1', [ATTR.mode]: 'paper' } }, async (root) => {
      await sleep(1);
      await tracer.startActiveSpan(STAGE_SPANS.SIG, { attributes: { [ATTR.stage]: 'SIG', [ATTR.attempt]: 1 } }, async (child) => {
        await sleep(1);
        child.setStatus({ code: SpanStatusCode.ERROR, message: 'E_SIG_STRATEGY_FAILED' });
        child.end();
      });
      root.end();
    });

    const spans = tracing.memoryExporter!.getFinishedSpans();
    assert.deepEqual(spans.map((s) => s.name), ['orch.stage.SIG', 'orch.cycle']);
    const [child, root] = spans;
    assert.equal(child.spanContext().traceId, root.spanContext().traceId);
    assert.equal(child.parentSpanContext?.spanId, root.spanContext().spanId);
    assert.equal(root.parentSpanContext, undefined);
    assert.deepEqual(root.attributes, { 'ordinis.correlation_id': 'c-1', 'ordinis.mode': 'paper' });
    assert.deepEqual(child.attributes, { 'ordinis.stage': 'SIG', 'ordinis.attempt': 1 });
    assert.equal(child.status.code, SpanStatusCode.ERROR);
    assert.equal(root.instrumentationScope.name, TRACER_NAME);
    assert.equal(root.resource.attributes['service.name'], 'ordinis-test');
    assert.equal(root.resource.attributes['service.version'], '0.0.1');
  } finally {
    await tracing.shutdown();
  }
});

test('setup registers globally; shutdown undoes it; repeated set-ups each get their own spans', async () => {
  const first = setupTracing({ exporter: 'memory', serviceName: 'a' });
  trace.getTracer('via-global').startSpan('one').end();
  assert.equal(first.memoryExporter!.getFinishedSpans().length, 1);

  const second = setupTracing({ exporter: 'memory', serviceName: 'b' });
  trace.getTracer('via-global').startSpan('two').end();
  first.tracer.startSpan('first-own').end();
  assert.deepEqual(second.memoryExporter!.getFinishedSpans().map((s) => s.name), ['two']);
  assert.deepEqual(first.memoryExporter!.getFinishedSpans().map((s) => s.name), ['one', 'first-own']);

  await second.shutdown();
  await second.shutdown(); // idempotent
  const afterShutdown = trace.getTracer('via-global').startSpan('ignored');
  assert.equal(afterShutdown.isRecording(), false);
  afterShutdown.end();
  await first.shutdown();
});

test('registerGlobal: false leaves the global API alone', async () => {
  const t = setupTracing({ exporter: 'memory', serviceName: 'local', registerGlobal: false });
  try {
    assert.equal(trace.getTracer('x').startSpan('global').isRecording(), false);
    t.tracer.startSpan('local').end();
    assert.deepEqual(t.memoryExporter!.getFinishedSpans().map((s) => s.name), ['local']);
  } finally {
    await t.shutdown();
  }
});

test('none installs nothing: spans are non-recording no-ops', async () => {
  const t = setupTracing({ exporter: 'none', serviceName: 'off' });
  assert.equal(t.provider, undefined);
  assert.equal(t.memoryExporter, undefined);
  const span = t.tracer.startSpan(CYCLE_SPAN);
  assert.equal(span.isRecording(), false);
  span.end();
  await t.shutdown();
});

test('sample ratio 0 records no root spans', async () => {
  const t = setupTracing({ exporter: 'memory', serviceName: 's', sampleRatio: 0, registerGlobal: false });
  try {
    const span = t.tracer.startSpan(CYCLE_SPAN);
    assert.equal(span.isRecording(), false);
    span.end();
    assert.equal(t.memoryExporter!.getFinishedSpans().length, 0);
  } finally {
    await t.shutdown();
  }
  assert.throws(() => setupTracing({ exporter: 'memory', serviceName: 's', sampleRatio: 2 }), /E_CFG_INVALID/);
});

test('otlp and console exporters can be set up and shut down without a collector', async () => {
  const otlp = setupTracing({ exporter: 'otlp', endpoint: 'http://127.0.0.1:1/v1/traces', serviceName: 'o', registerGlobal: false });
  assert.ok(otlp.provider);
  await otlp.shutdown();
  const consoleT = setupTracing({ exporter: 'console', serviceName: 'c', registerGlobal: false });
  assert.ok(consoleT.provider);
  await consoleT.shutdown();
});

test('tracingOptionsFromConfig maps the OBS_ keys', () => {
  assert.deepEqual(tracingOptionsFromConfig(CONFIG_DEFAULTS), {
    exporter: 'none',
    endpoint: 'http://127.0.0.1:4318/v1/traces',
    serviceName: 'ordinis-orch',
    sampleRatio: 1,
    resourceAttributes: { 'deployment.environment.name': 'paper' },
  });
});

test('OBS_TRACES_EXPORTER=otlp sends spans to OBS_OTLP_ENDPOINT (a real HTTP server); OBS_TRACE_SAMPLE_RATIO=0 sends none', async () => {
  const posts: { url: string | undefined; bytes: number }[] = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      posts.push({ url: req.url, bytes });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    for (const ratio of ['1', '0']) {
      const { config } = loadConfig({ env: { ORDINIS_OBS_TRACES_EXPORTER: 'otlp', ORDINIS_OBS_OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`, ORDINIS_OBS_TRACE_SAMPLE_RATIO: ratio } });
      const t = setupTracing({ ...tracingOptionsFromConfig(config), registerGlobal: false });
      t.tracer.startSpan(CYCLE_SPAN).end();
      await t.shutdown();
      assert.deepEqual(posts.splice(0).map((p) => p.url), ratio === '1' ? ['/v1/traces'] : [], `ratio ${ratio}`);
    }
  } finally {
    server.close();
  }
});
