// Bearer-token check for the mutating routes. Both sides are hashed to a fixed length before
// crypto.timingSafeEqual, so neither the token's content nor its length leaks through timing.
// No token configured means the mutating routes are off, not open.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './error-status.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class BearerAuth {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token ? digest(token) : undefined;
  }

  get enabled(): boolean {
    return this.expected !== undefined;
  }

  /** Throws ApiError: 403 when no token is configured, 401 when the header is missing or wrong. */
  check(headers: IncomingHttpHeaders): void {
    if (!this.expected) {
      throw new ApiError('E_API_UNAUTHORIZED', 'mutating routes are disabled: no API_TOKEN configured', { status: 403 });
    }
    const challenge = { 'www-authenticate': 'Bearer' };
    const header = headers.authorization;
    if (!header) throw new ApiError('E_API_UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <token>)', { headers: challenge });
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]!), this.expected)) {
      throw new ApiError('E_API_UNAUTHORIZED', 'wrong bearer token', { headers: challenge });
    }
  }
}
