// The operator's dashboard: GET / is its page, GET /dashboard/<file> its script and style
// sheet. Plain files shipped in the package's dashboard/ folder (no build step, nothing
// generated at run time); the page reads the other routes (/status, /book, /runs,
// /audit/verify, /events) and operates the kill switch with the token the operator types in.
// Only the files listed here are served: a path never reaches the file system.

import { readFileSync } from 'node:fs';
import { ApiError } from '../error-status.ts';
import type { ApiReply, Route } from '../contract.ts';

/** The folder, from src/server/routes/ and from dist/server/routes/ alike. */
const DASHBOARD_DIR = new URL('../../../dashboard/', import.meta.url);

const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

// The page loads only its own files and talks only to this server.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** Read once, on first request: the files do not change while the process runs. */
const cache = new Map<string, string>();

function asset(name: string): ApiReply {
  const contentType = ASSETS[name];
  if (contentType === undefined) throw new ApiError('E_API_NOT_FOUND', `no dashboard file ${JSON.stringify(name.slice(0, 100))}`);
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(name, DASHBOARD_DIR), 'utf8');
    cache.set(name, text);
  }
  return { status: 200, text, contentType, headers: PAGE_HEADERS };
}

export const dashboardRoutes: readonly Route[] = [
  { pattern: '/', methods: { GET: () => asset('index.html') } },
  { pattern: '/dashboard/:file', methods: { GET: (req) => asset(req.params.file!) } },
];
