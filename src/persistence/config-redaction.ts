// Config snapshots must hold no secrets (SYSTEM.md, CFG). The config loader redacts before it
// hands a snapshot over; this is the second line, applied to every snapshot we write, so a
// secret added under a new key still does not land in the database.

/**
 * Keys whose values are replaced. The brief's /token|secret|password|api_key/ plus the
 * camelCase and dashed spellings (`apiKey`, `api-key`, `privateKey`) config objects use.
 */
export const SECRET_KEY_PATTERN = /token|secret|password|passwd|api[_-]?key|private[_-]?key|credential/i;

export const REDACTED = '***';

/** A deep copy with every value under a secret-looking key replaced by "***". */
export function redactSecrets<T>(value: T): T {
  return redact(value) as T;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY_PATTERN.test(k) && v !== null && v !== undefined ? REDACTED : redact(v);
  }
  return out;
}
