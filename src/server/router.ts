// Path and method matching. A path that matches a route under another method is a 405
// with the Allow header, not a 404: the resource exists. HEAD is served wherever GET is
// (node sends the headers and drops the body).

import { OrdinisError } from '../errors.ts';
import { ApiError } from './error-status.ts';
import type { HttpMethod, Route, RouteHandler } from './contract.ts';

export type RouteMatch =
  | { kind: 'found'; pattern: string; handler: RouteHandler; params: Record<string, string> }
  | { kind: 'wrong_method'; pattern: string; allow: string[] }
  | { kind: 'none' };

interface CompiledRoute {
  route: Route;
  segments: string[];
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    const seen = new Set<string>();
    this.routes = routes.map((route) => {
      const shape = route.pattern.replace(/:[^/]+/g, ':');
      if (seen.has(shape)) throw new OrdinisError('E_INTERNAL', `ops API: two routes for ${route.pattern}`);
      seen.add(shape);
      return { route, segments: route.pattern.split('/') };
    });
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/');
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      const handler = route.methods[(method === 'HEAD' ? 'GET' : method) as HttpMethod];
      if (handler) return { kind: 'found', pattern: route.pattern, handler, params };
      return { kind: 'wrong_method', pattern: route.pattern, allow: allowOf(route) };
    }
    return { kind: 'none' };
  }
}

function matchSegments(segments: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith(':')) {
      if (part === '') return undefined;
      try {
        params[seg.slice(1)] = decodeURIComponent(part);
      } catch {
        throw new ApiError('E_API_BAD_REQUEST', `path segment ${JSON.stringify(part.slice(0, 100))} is not valid percent-encoding`);
      }
    } else if (seg !== part) {
      return undefined;
    }
  }
  return params;
}

function allowOf(route: Route): string[] {
  const methods = Object.keys(route.methods);
  return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
}
