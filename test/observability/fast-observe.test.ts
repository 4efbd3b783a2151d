// fastObserve updates a histogram series in place instead of going through prom-client's
// observe() on every call. What a scrape shows must not change: the same observations through
// either path give the same exposition text, across a reset, and a non-finite value is
// refused by prom-client's own check. fastInc does the same for a counter series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { fastInc, fastObserve, STAGE_LATENCY_BUCKETS_MS } from '../../src/observability/metrics.ts';

function pair(labelled: boolean) {
  const make = () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'x_ms', help: 'x', buckets: STAGE_LATENCY_BUCKETS_MS, registers: [registry], ...(labelled ? { labelNames: ['stage'] } : {}) });
    return { registry, h };
  };
  const ref = make();
  const fast = make();
  if (labelled) {
    ref.h.zero({ stage: 'ING' });
    fast.h.zero({ stage: 'ING' });
    const refChild = ref.h.labels({ stage: 'ING' });
    const fastChild = fast.h.labels({ stage: 'ING' });
    return { ref, fast, refObserve: (v: number) => refChild.observe(v), fastObserve: fastObserve(fast.h, { stage: 'ING' }, (v) => fastChild.observe(v)) };
  }
  return { ref, fast, refObserve: (v: number) => ref.h.observe(v), fastObserve: fastObserve(fast.h, {}, (v) => fast.h.observe(v)) };
}

const values = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10_000 }),
  fc.constantFrom(0, -0, ...STAGE_LATENCY_BUCKETS_MS),
);

for (const labelled of [true, false]) {
  test(`property: same exposition as prom-client's observe (${labelled ? 'labelled' : 'no labels'}), across a reset`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(values, { maxLength: 80 }), fc.array(values, { maxLength: 20 }), async (before, after) => {
        const p = pair(labelled);
        for (const v of before) {
          p.refObserve(v);
          p.fastObserve(v);
        }
        assert.equal(await p.fast.registry.metrics(), await p.ref.registry.metrics());
        p.ref.registry.resetMetrics();
        p.fast.registry.resetMetrics();
        for (const v of after) {
          p.refObserve(v);
          p.fastObserve(v);
        }
        assert.equal(await p.fast.registry.metrics(), await p.ref.registry.metrics());
      }),
      { numRuns: 200 },
    );
  });
}

test('a non-finite value is refused as prom-client refuses it', () => {
  const p = pair(true);
  assert.throws(() => p.fastObserve(Number.NaN), TypeError);
  assert.throws(() => p.fastObserve(Number.POSITIVE_INFINITY), TypeError);
});

test('the fast path is taken with this prom-client (else it is plain observe(), still correct but slower)', () => {
  const registry = new Registry();
  const h = new Histogram({ name: 'y_ms', help: 'y', buckets: [1, 2], labelNames: ['stage'], registers: [registry] });
  h.zero({ stage: 'ING' });
  const child = h.labels({ stage: 'ING' });
  const plain = (v: number) => child.observe(v);
  assert.notEqual(fastObserve(h, { stage: 'ING' }, plain), plain);
  assert.equal(fastObserve(h, { stage: 'NOPE' }, plain), plain, 'an unknown series falls back');
});

test('fastInc: same exposition as the child inc(), across a reset and a remove', async () => {
  const make = () => {
    const registry = new Registry();
    const c = new Counter({ name: 'c_total', help: 'c', labelNames: ['status'], registers: [registry] });
    const child = c.labels({ status: 'ok' });
    child.inc(0);
    return { registry, c, child };
  };
  const ref = make();
  const fast = make();
  const inc = fastInc(fast.c, { status: 'ok' }, () => fast.child.inc());
  const both = (n: number) => {
    for (let i = 0; i < n; i++) {
      ref.child.inc();
      inc();
    }
  };
  both(3);
  assert.equal(await fast.registry.metrics(), await ref.registry.metrics());
  for (const r of [ref, fast]) r.registry.resetMetrics();
  both(2);
  assert.equal(await fast.registry.metrics(), await ref.registry.metrics());
  for (const r of [ref, fast]) r.c.remove({ status: 'ok' });
  both(4);
  assert.equal(await fast.registry.metrics(), await ref.registry.metrics());
  assert.match(await fast.registry.metrics(), /c_total\{status="ok"\} 4/);
});

test('fastInc falls back to inc() for an unknown series or a counter with exemplars', () => {
  const c = new Counter({ name: 'd_total', help: 'd', labelNames: ['status'], registers: [] });
  const plain = () => {};
  assert.equal(fastInc(c, { status: 'ok' }, plain), plain);
  c.labels({ status: 'ok' }).inc(0);
  assert.notEqual(fastInc(c, { status: 'ok' }, plain), plain);
  const e = new Counter({ name: 'e_total', help: 'e', labelNames: ['status'], enableExemplars: true, registers: [] });
  e.inc({ labels: { status: 'ok' }, value: 1 });
  assert.equal(fastInc(e, { status: 'ok' }, plain), plain);
});
