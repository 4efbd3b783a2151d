// A credentials file: a JSON object of non-empty strings that only its owner may read (like
// ssh with a private key, a secret others may read is refused, not used). Credentials come
// from the environment (secret config keys) or from such a file, never from a flag, so they
// stay out of shell history and `ps`.

import { readFileSync, statSync } from 'node:fs';
import { OrdinisError } from '../errors.ts';

/**
 * Reads `fields` (and `optional` ones, when present) from the JSON file at `path`.
 * E_CFG_INVALID naming `key` (the config key that named the file) when the file is missing,
 * readable by others, not JSON, or lacks a field. The values are never part of an error message.
 */
export function readCredentialsFile<F extends string, O extends string = never>(
  path: string,
  key: string,
  fields: readonly F[],
  optional: readonly O[] = [],
): Record<F, string> & Partial<Record<O, string>> {
  const bad = (what: string): never => {
    throw new OrdinisError('E_CFG_INVALID', `${key} ${path}: ${what}`, { details: { key } });
  };
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    return bad(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) bad(`other users may read it (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // The parser's message may quote the file's content: not repeated.
    return bad('is not a JSON object');
  }
  const o = (parsed !== null && typeof parsed === 'object' ? parsed : bad('is not a JSON object')) as Record<string, unknown>;
  const out = {} as Record<string, string>;
  for (const f of [...fields, ...optional.filter((k) => o[k] !== undefined)]) {
    const v = o[f];
    if (typeof v !== 'string' || v.trim() === '') bad(`"${f}" must be a non-empty string`);
    out[f] = v as string;
  }
  return out as Record<F, string> & Partial<Record<O, string>>;
}
