// The composer: layers run as an onion (outermost first in, last out), a synchronous chain
// stays synchronous (no promise anywhere), an async layer makes the whole run a promise that
// the outer layers' after-steps wait for, and a layer calling next() twice is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, whenDone, type DepthField, type Layer } from '../../src/kernel/compose.ts';
import { OrdinisError } from '../../src/errors.ts';

interface Ctx {
  log: string[];
  depth: number;
}

const depth: DepthField<Ctx> = { get: (c) => c.depth, set: (c, d) => void (c.depth = d) };

const named = (name: string): Layer<Ctx> => (c, next) => {
  c.log.push(`${name} in`);
  return whenDone(next(c), () => c.log.push(`${name} out`));
};

test('layers wrap the core as an onion, outermost first, and a synchronous chain returns no promise', () => {
  const run = compose([named('a'), named('b')], (c) => void c.log.push('core'), depth);
  const c: Ctx = { log: [], depth: 0 };
  const out = run(c);
  assert.equal(out, undefined, 'nothing async: no promise');
  assert.deepEqual(c.log, ['a in', 'b in', 'core', 'b out', 'a out']);
  // The same composed function serves the next context afresh.
  const d: Ctx = { log: [], depth: 0 };
  run(d);
  assert.deepEqual(d.log, c.log);
});

test('an async core makes the run a promise; outer after-steps run when it settles, also on failure', async () => {
  const run = compose([named('a')], async (c) => {
    await new Promise((r) => setImmediate(r));
    c.log.push('core');
  }, depth);
  const c: Ctx = { log: [], depth: 0 };
  const out = run(c);
  assert.ok(out instanceof Promise);
  assert.deepEqual(c.log, ['a in']);
  await out;
  assert.deepEqual(c.log, ['a in', 'core', 'a out']);

  const failing = compose([named('a')], () => Promise.reject(new Error('boom')), depth);
  const f: Ctx = { log: [], depth: 0 };
  await assert.rejects(Promise.resolve(failing(f)), /boom/);
  assert.deepEqual(f.log, ['a in', 'a out'], 'the after-step still ran');
});

test('a layer may stop the chain by not calling next', () => {
  const stop: Layer<Ctx> = (c) => void c.log.push('stop');
  const run = compose([named('a'), stop, named('never')], (c) => void c.log.push('core'), depth);
  const c: Ctx = { log: [], depth: 0 };
  run(c);
  assert.deepEqual(c.log, ['a in', 'stop', 'a out']);
});

test('calling next twice is refused with E_INTERNAL, and the inner layers do not run again', () => {
  const twice: Layer<Ctx> = (c, next) => {
    next(c);
    return next(c);
  };
  let cores = 0;
  const run = compose([named('a'), twice], () => void cores++, depth);
  const c: Ctx = { log: [], depth: 0 };
  assert.throws(() => run(c), (e: unknown) => e instanceof OrdinisError && e.code === 'E_INTERNAL' && /more than once/.test(e.message));
  assert.equal(cores, 1);
});

test('no layers: the core itself', () => {
  const core = (c: Ctx) => void c.log.push('core');
  assert.equal(compose([], core, depth), core);
});
