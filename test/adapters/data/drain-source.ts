import type { BarBatch, BarSource } from '../../../src/stages/ing/bar-source.ts';

/** Every batch a source hands out, in order. */
export function drainAll(s: BarSource): BarBatch[] {
  const out: BarBatch[] = [];
  for (let b = s.next(); b !== undefined; b = s.next()) out.push(b);
  return out;
}
