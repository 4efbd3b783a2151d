// Request validation with zod: a failure is a 400 E_API_BAD_REQUEST whose message names the
// offending field or query parameter, with every issue listed in `details`.

import type { z } from 'zod';
import { ApiError } from './error-status.ts';

interface Issue {
  field: string;
  message: string;
}

function issuesOf(error: z.ZodError, where: 'body' | 'query'): Issue[] {
  const out: Issue[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ field: [...i.path.map(String), k].join('.'), message: where === 'query' ? 'unknown query parameter' : 'unknown field' });
    } else {
      out.push({ field: i.path.map(String).join('.') || '(root)', message: i.message });
    }
  }
  return out;
}

function fail(where: 'body' | 'query', issues: Issue[]): never {
  const noun = where === 'query' ? 'query parameter' : 'field';
  const summary = issues.map((i) => `${noun} '${i.field}': ${i.message}`).join('; ');
  throw new ApiError('E_API_BAD_REQUEST', `invalid request ${where}: ${summary}`, { details: { issues } });
}

/** Validates a parsed JSON body. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) fail('body', issuesOf(r.error, 'body'));
  return r.data;
}

/** Validates a query string. A parameter given twice is refused rather than guessed at. */
export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const record: Record<string, string> = {};
  for (const [k, v] of query) {
    if (Object.prototype.hasOwnProperty.call(record, k)) fail('query', [{ field: k, message: 'given more than once' }]);
    record[k] = v;
  }
  const r = schema.safeParse(record);
  if (!r.success) fail('query', issuesOf(r.error, 'query'));
  return r.data;
}
