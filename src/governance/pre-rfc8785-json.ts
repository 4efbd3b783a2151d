// The audit chain's hash input before it was RFC 8785: kept only to verify records sealed
// then that RFC 8785 cannot write (a string with a lone surrogate, which this escapes as
// JSON.stringify does). For every I-JSON value it is the same string as RFC 8785
// (test/governance/audit-hash-input.test.ts holds the two together).

/** Objects list their keys (values not undefined) in UTF-16 code-unit order; anything else is JSON.stringify'd (undefined as null). */
export function preRfc8785Json(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => preRfc8785Json(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${preRfc8785Json(obj[k])}`).join(',')}}`;
}
