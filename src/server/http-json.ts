// JSON in and out over node:http: the request body read under a size cap and checked for
// content type and encoding, and a reply written with the headers every answer carries.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './error-status.ts';
import type { ApiReply } from './contract.ts';

/** Largest body accepted. The biggest legitimate one (a kill reason) is well under 1 KB. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * A body larger than the cap but under this is read to its end and thrown away, so the
 * client (which is still sending) reads our 413 instead of a reset. A larger declared
 * length is refused unread, and the connection closed.
 */
const MAX_DRAIN_BYTES = 1024 * 1024;

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/** `application/json`, optionally with `charset=utf-8`; anything else is 415. */
export function assertJsonContentType(header: string | undefined): void {
  const unsupported = (got: string): ApiError =>
    new ApiError('E_API_BAD_REQUEST', `content type must be application/json, got ${got}`, { status: 415 });
  if (!header) throw unsupported('none');
  const [type = '', ...params] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') throw unsupported(JSON.stringify(type.trim().slice(0, 100)));
  for (const p of params) {
    const [name = '', value = ''] = p.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new ApiError('E_API_BAD_REQUEST', `JSON bodies must be UTF-8, got charset ${JSON.stringify(charset.slice(0, 40))}`, { status: 415 });
    }
  }
}

/** Reads and parses a JSON body. Rejects with ApiError: 415, 413 or 400. */
export async function readJsonBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<unknown> {
  assertJsonContentType(req.headers['content-type']);
  const tooLarge = (closeConnection: boolean): ApiError =>
    new ApiError('E_API_BAD_REQUEST', `request body exceeds ${limitBytes} bytes`, {
      status: 413,
      ...(closeConnection ? { headers: { connection: 'close' } } : {}),
    });

  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && declared > MAX_DRAIN_BYTES) throw tooLarge(true);

  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
      } else if (size > MAX_DRAIN_BYTES) {
        // A chunked body that will not stop: stop reading and close after the answer.
        req.pause();
        settle(() => reject(tooLarge(true)));
      }
    });
    req.on('end', () => settle(() => (size > limitBytes ? reject(tooLarge(false)) : resolve(Buffer.concat(chunks, size)))));
    req.on('error', (e) => settle(() => reject(new ApiError('E_API_BAD_REQUEST', 'request body could not be read', { cause: e }))));
    req.on('close', () => settle(() => reject(new ApiError('E_API_BAD_REQUEST', 'request body incomplete: the client went away'))));
  });

  if (raw.length === 0) throw new ApiError('E_API_BAD_REQUEST', 'request body is empty; expected a JSON object');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (e) {
    throw new ApiError('E_API_BAD_REQUEST', 'request body is not valid UTF-8', { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError('E_API_BAD_REQUEST', 'request body is not valid JSON', { cause: e });
  }
}

/** Writes a reply; HEAD requests get the headers only (node drops the body). */
export function writeReply(res: ServerResponse, reply: Exclude<ApiReply, { stream: unknown }>): void {
  let body: string;
  let contentType: string;
  if ('text' in reply) {
    body = reply.text;
    contentType = reply.contentType;
  } else {
    body = JSON.stringify(reply.json);
    contentType = 'application/json; charset=utf-8';
  }
  res.writeHead(reply.status, {
    ...COMMON_HEADERS,
    ...('headers' in reply ? reply.headers : {}),
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
