import type { EmitMeta, EventEmitterPort } from '../../src/bus/contract.ts';

/** Collects emitted events in order, for assertions. */
export class RecordingEvents implements EventEmitterPort {
  readonly events: { topic: string; payload: Record<string, unknown>; meta: EmitMeta | undefined }[] = [];
  emit(topic: string, payload: Record<string, unknown>, meta?: EmitMeta): void {
    this.events.push({ topic, payload, meta });
  }
  topics(): string[] {
    return this.events.map((e) => e.topic);
  }
  of(topic: string): { topic: string; payload: Record<string, unknown>; meta: EmitMeta | undefined }[] {
    return this.events.filter((e) => e.topic === topic);
  }
}
