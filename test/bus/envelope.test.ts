import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateEnvelope } from '../../src/bus/envelope.ts';
import { isSideEffectingTopic, topicProblem } from '../../src/bus/topic.ts';
import { OrdinisError } from '../../src/errors.ts';
import type { ErrorCode } from '../../src/errors.ts';
import { VALID_TAGS, sampleEvent, without } from './sample-events.ts';

/** Asserts validation fails with `code` and a message naming `field`. */
function assertRejected(input: unknown, code: ErrorCode, field: string): OrdinisError {
  try {
    validateEnvelope(input);
  } catch (e) {
    assert.ok(e instanceof OrdinisError, 'throws an OrdinisError');
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(`${field}:`), `message names ${field}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code} for ${field}`);
}

test('a valid envelope passes and comes back as a snapshot', () => {
  const input = sampleEvent({ parent_span_id: 'abc', sig: 'sig', idempotency_key: 'k' });
  const out = validateEnvelope(input);
  assert.deepEqual(out, input);
  assert.notEqual(out, input, 'the envelope is copied');
  assert.notEqual(out.tags, input.tags, 'the tags are copied');
  assert.equal(out.payload, input.payload, 'the payload is shared, not copied');
  assert.doesNotThrow(() => validateEnvelope(input));
});

test('extra tags beyond the required ones are kept', () => {
  const out = validateEnvelope(sampleEvent({ tags: { ...VALID_TAGS, strategy: 'sma_cross' } }));
  assert.equal(out.tags.strategy, 'sma_cross');
});

test('topics with one to five segments after the domain are valid, as the spec lists them', () => {
  for (const topic of [
    'ordinis.market.bar.closed',
    'ordinis.signals.generated',
    'ordinis.risk.decision',
    'ordinis.ops.run.backtest.requested',
    'ordinis.gov.audit.appended',
  ]) {
    assert.equal(topicProblem(topic), undefined, topic);
    assert.doesNotThrow(() => validateEnvelope(sampleEvent({ event_type: topic })), topic);
  }
});

test('a malformed or unknown topic is E_EVT_TOPIC_UNKNOWN naming event_type', () => {
  const cases: Array<[string, RegExp]> = [
    ['ordinis.foo.bar.baz', /unknown domain "foo"/],
    ['ordinis.market', /1 to 5 segments/],
    ['ordinis.market.a.b.c.d.e.f', /1 to 5 segments/],
    ['market.bar.closed', /must start with "ordinis\."/],
    ['ordinis.market.Bar.closed', /lower snake case/],
    ['ordinis.market.*', /lower snake case/],
    ['ordinis.market..closed', /lower snake case/],
    ['', /must start with/],
  ];
  for (const [topic, why] of cases) {
    const e = assertRejected(sampleEvent({ event_type: topic }), 'E_EVT_TOPIC_UNKNOWN', 'event_type');
    assert.match(e.message, why, topic);
    assert.notEqual(topicProblem(topic), undefined);
  }
  assertRejected(without('event_type'), 'E_EVT_TOPIC_UNKNOWN', 'event_type');
  assertRejected({ ...sampleEvent(), event_type: 42 }, 'E_EVT_TOPIC_UNKNOWN', 'event_type');
});

test('a missing or empty required tag is E_EVT_TAGS_MISSING naming the tag', () => {
  for (const tag of ['instrument_type', 'venue', 'jurisdiction', 'env'] as const) {
    const tags: Record<string, string> = { ...VALID_TAGS };
    delete tags[tag];
    const e = assertRejected(sampleEvent({ tags }), 'E_EVT_TAGS_MISSING', `tags.${tag}`);
    assert.match(e.message, /is required/);
  }
  assertRejected(sampleEvent({ tags: { ...VALID_TAGS, venue: '' } }), 'E_EVT_TAGS_MISSING', 'tags.venue');
  assertRejected(without('tags'), 'E_EVT_TAGS_MISSING', 'tags');
});

test('a required tag with a value outside its set is E_EVT_SCHEMA_INVALID naming the tag', () => {
  const e = assertRejected(sampleEvent({ tags: { ...VALID_TAGS, instrument_type: 'bond' } }), 'E_EVT_SCHEMA_INVALID', 'tags.instrument_type');
  assert.match(e.message, /equity, etf, future, fx, crypto/);
  assertRejected(sampleEvent({ tags: { ...VALID_TAGS, env: 'staging' } }), 'E_EVT_SCHEMA_INVALID', 'tags.env');
  assertRejected({ ...sampleEvent(), tags: { ...VALID_TAGS, extra: 3 } }, 'E_EVT_SCHEMA_INVALID', 'tags.extra');
  assertRejected({ ...sampleEvent(), tags: 'equity' }, 'E_EVT_SCHEMA_INVALID', 'tags');
});

test('a missing, empty or mistyped envelope field is E_EVT_SCHEMA_INVALID naming the field', () => {
  for (const field of ['event_id', 'schema_version', 'ts_event', 'ts_ingest', 'source', 'trace_id', 'span_id', 'correlation_id', 'partition_key', 'payload'] as const) {
    const e = assertRejected(without(field), 'E_EVT_SCHEMA_INVALID', field);
    assert.match(e.message, new RegExp(`${field}: is required`));
  }
  assertRejected(sampleEvent({ event_id: '' }), 'E_EVT_SCHEMA_INVALID', 'event_id');
  assertRejected({ ...sampleEvent(), partition_key: 7 }, 'E_EVT_SCHEMA_INVALID', 'partition_key');
  assertRejected(sampleEvent({ source: 'x'.repeat(300) }), 'E_EVT_SCHEMA_INVALID', 'source');
  assertRejected(sampleEvent({ parent_span_id: '' }), 'E_EVT_SCHEMA_INVALID', 'parent_span_id');
});

test('schema_version must be semver', () => {
  for (const v of ['1.0', 'v1.0.0', '1.0.0.0', '01.0.0', 'latest']) {
    const e = assertRejected(sampleEvent({ schema_version: v }), 'E_EVT_SCHEMA_INVALID', 'schema_version');
    assert.match(e.message, /semantic version/);
  }
  for (const v of ['1.0.0', '2.10.3', '1.0.0-rc.1', '1.0.0+build.5']) {
    assert.doesNotThrow(() => validateEnvelope(sampleEvent({ schema_version: v })), v);
  }
});

test('timestamps must be RFC 3339 with a zone', () => {
  for (const ts of ['yesterday', '2024-01-02', '2024-01-02T15:04:05', '2024-01-02T15:04Z', '2024-02-30T00:00:00Z', '1704207845000']) {
    const e = assertRejected(sampleEvent({ ts_event: ts }), 'E_EVT_SCHEMA_INVALID', 'ts_event');
    assert.match(e.message, /RFC 3339/);
    assertRejected(sampleEvent({ ts_ingest: ts }), 'E_EVT_SCHEMA_INVALID', 'ts_ingest');
  }
  for (const ts of ['2024-01-02T15:04:05Z', '2024-01-02T15:04:05.123456Z', '2024-01-02T15:04:05+02:00']) {
    assert.doesNotThrow(() => validateEnvelope(sampleEvent({ ts_event: ts })), ts);
  }
});

test('the payload must be an object', () => {
  for (const payload of [[1, 2], 'bar', null, 5]) {
    assertRejected({ ...sampleEvent(), payload }, 'E_EVT_SCHEMA_INVALID', 'payload');
  }
});

test('side-effecting topics (orders, executions) need an idempotency key', () => {
  for (const topic of ['ordinis.orders.intent', 'ordinis.orders.submitted', 'ordinis.executions.report']) {
    assert.equal(isSideEffectingTopic(topic), true);
    const e = assertRejected(sampleEvent({ event_type: topic }), 'E_EVT_SCHEMA_INVALID', 'idempotency_key');
    assert.match(e.message, new RegExp(`side-effecting topic ${topic.replace(/\./g, '\\.')}`));
    assert.doesNotThrow(() => validateEnvelope(sampleEvent({ event_type: topic, idempotency_key: 'ord-1' })));
  }
  assert.equal(isSideEffectingTopic('ordinis.ops.cycle.started'), false);
  assert.doesNotThrow(() => validateEnvelope(sampleEvent({ event_type: 'ordinis.ops.cycle.started' })));
});

test('a field outside the envelope is rejected by name', () => {
  const e = assertRejected({ ...sampleEvent(), idempotencyKey: 'k' }, 'E_EVT_SCHEMA_INVALID', 'idempotencyKey');
  assert.match(e.message, /unknown envelope field/);
});

test('a non-object is E_EVT_SCHEMA_INVALID', () => {
  for (const input of [null, undefined, 'event', 42, []]) {
    assertRejected(input, 'E_EVT_SCHEMA_INVALID', '(envelope)');
  }
});

test('the error lists every issue; its code is that of the first in field order', () => {
  const input = { ...sampleEvent({ event_type: 'ordinis.nope.x', schema_version: 'x' }), tags: { venue: 'paper' } };
  const e = assertRejected(input, 'E_EVT_TOPIC_UNKNOWN', 'event_type');
  const issues = (e.details as { issues: Array<{ field: string; code: string }> }).issues;
  assert.deepEqual(
    issues.map((i) => [i.field, i.code]),
    [
      ['event_type', 'E_EVT_TOPIC_UNKNOWN'],
      ['schema_version', 'E_EVT_SCHEMA_INVALID'],
      ['tags.instrument_type', 'E_EVT_TAGS_MISSING'],
      ['tags.jurisdiction', 'E_EVT_TAGS_MISSING'],
      ['tags.env', 'E_EVT_TAGS_MISSING'],
    ],
  );
  assert.match(e.message, /schema_version: .*tags\.env: is required/);
  assert.equal(e.retryable, false);
});
// Validation speed is measured by `npm run bench`, not asserted here (no timed unit tests).
