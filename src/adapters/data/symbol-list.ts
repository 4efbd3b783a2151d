// The symbol list every bar source is configured with: it fixes the order of bars within a
// batch, so a blank or repeated name would silently misorder or merge two streams.

import { OrdinisError } from '../../errors.ts';

/** Throws E_CFG_INVALID (prefixed with `what`, the source) for an empty or repeated symbol name. */
export function checkSymbolList(symbols: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const s of symbols) {
    if (typeof s !== 'string' || s.trim() === '') throw new OrdinisError('E_CFG_INVALID', `${what}: empty symbol name`);
    if (seen.has(s)) throw new OrdinisError('E_CFG_INVALID', `${what}: symbol '${s}' given twice`);
    seen.add(s);
  }
}
