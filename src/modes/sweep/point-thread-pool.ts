// Worker threads that run sweep points (sweep-thread.ts), each one point at a time; a point
// asked for while all are busy waits for the first one free. A backtest runs its bars without
// yielding, so off the main thread it holds up nothing there: the pool's owner keeps
// answering (a queue worker keeps renewing its job locks however long a backtest takes).

import { Worker } from 'node:worker_threads';
import type { OrdinisConfig } from '../../config/schema.ts';
import { OrdinisError, type ErrorCode } from '../../errors.ts';
import { workerBoot } from '../backtest/backtest-requests.ts';
import type { SweepResult } from './sweep-outcome.ts';
import type { SweepSpec } from './sweep-spec.ts';
import type { SweepThreadData, SweepThreadReply, SweepThreadRequest } from './sweep-thread.ts';

interface Slot {
  worker: Worker;
  /** The point it runs, if any. */
  current: { resolve: (r: SweepResult) => void; reject: (e: unknown) => void } | undefined;
}

export class PointThreadPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { request: SweepThreadRequest; resolve: (r: SweepResult) => void; reject: (e: unknown) => void }[] = [];
  private closed = false;

  /** `spec`: the one sweep every request is for (requests then need not carry it). */
  constructor(config: OrdinisConfig, size: number, spec?: SweepSpec) {
    const data: SweepThreadData = { config, ...(spec ? { spec } : {}) };
    for (let i = 0; i < size; i++) this.slots.push(this.startSlot(data));
  }

  /** Runs a point on the first free thread. Rejects with the thread's error (or its death). */
  run(request: SweepThreadRequest): Promise<SweepResult> {
    if (this.closed) return Promise.reject(new OrdinisError('E_INTERNAL', 'sweep thread pool closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every thread (a point running is abandoned: its promise rejects). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new OrdinisError('E_INTERNAL', 'sweep thread pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.current !== undefined) continue;
      const next = this.waiting.shift()!;
      slot.current = { resolve: next.resolve, reject: next.reject };
      slot.worker.postMessage(next.request);
    }
  }

  private startSlot(data: SweepThreadData): Slot {
    const worker = new Worker(workerBoot(import.meta.url, './sweep-thread'), { eval: true, workerData: data });
    const slot: Slot = { worker, current: undefined };
    worker.on('message', (reply: SweepThreadReply) => {
      const current = slot.current;
      slot.current = undefined;
      if (current) {
        if (reply.ok) current.resolve(reply.result);
        else current.reject(new OrdinisError(reply.error.code as ErrorCode, reply.error.message));
      }
      this.dispatch();
    });
    const died = (why: string): void => {
      if (this.closed) return;
      // A dead thread's point fails, and so does everything after it: the pool is broken.
      const e = new OrdinisError('E_INTERNAL', `sweep thread ${why}`);
      slot.current?.reject(e);
      slot.current = undefined;
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    worker.on('error', (e) => died(`failed: ${e.message}`));
    worker.on('exit', (code) => died(`exited (code ${code})`));
    return slot;
  }
}
