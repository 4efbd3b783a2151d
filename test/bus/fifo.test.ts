import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fifo } from '../../src/bus/fifo.ts';

test('property: Fifo behaves like an array used as a deque, through growth and wrap-around', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), value: fc.integer() }),
    fc.record({ kind: fc.constant('unshift' as const), value: fc.integer() }),
    fc.record({ kind: fc.constant('shift' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const fifo = new Fifo<number>(2);
      const model: number[] = [];
      for (const o of ops) {
        if (o.kind === 'push') {
          fifo.push(o.value);
          model.push(o.value);
        } else if (o.kind === 'unshift') {
          fifo.unshift(o.value);
          model.unshift(o.value);
        } else {
          assert.equal(fifo.shift(), model.shift());
        }
        assert.equal(fifo.length, model.length);
        assert.equal(fifo.peek(), model[0]);
      }
      assert.deepEqual(fifo.takeAll(), model);
      assert.equal(fifo.length, 0);
    }),
    { seed: 7, numRuns: 300 },
  );
});
