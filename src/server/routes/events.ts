// GET /events: Server-Sent Events from the process's bus (see event-stream.ts). A read route
// like /runs: no token. `?topic=` takes the bus's patterns (`ordinis.ops.cycle.*`), repeated
// or comma-separated; without it every event is sent.

import { topicPatternsFromList, type TopicPattern } from '../../bus/topic-pattern.ts';
import { OrdinisError } from '../../errors.ts';
import { ApiError } from '../error-status.ts';
import type { EventStreamHub } from '../event-stream.ts';
import type { ApiReply, ApiRequest, Route } from '../contract.ts';

/** More patterns than any dashboard needs; each is matched against every event. */
export const MAX_TOPIC_PATTERNS = 32;

/** The patterns of `?topic=`; a bad one is a 400 naming it. */
export function topicPatternsOf(query: URLSearchParams): TopicPattern[] {
  const values: string[] = [];
  for (const [key, value] of query) {
    if (key !== 'topic') throw new ApiError('E_API_BAD_REQUEST', `invalid request query: query parameter '${key.slice(0, 100)}': unknown query parameter`);
    values.push(value);
  }
  let patterns: TopicPattern[];
  try {
    patterns = topicPatternsFromList(values.join(','), "query parameter 'topic'");
  } catch (e) {
    if (!(e instanceof OrdinisError)) throw e;
    throw new ApiError('E_API_BAD_REQUEST', `invalid request query: ${e.message.replace(/^E_[A-Z_]+: /, '')}`);
  }
  if (patterns.length > MAX_TOPIC_PATTERNS) throw new ApiError('E_API_BAD_REQUEST', `invalid request query: at most ${MAX_TOPIC_PATTERNS} topic patterns (got ${patterns.length})`);
  return patterns;
}

export function eventRoutes(hub: EventStreamHub | undefined): Route[] {
  const stream = (req: ApiRequest): ApiReply => {
    const patterns = topicPatternsOf(req.query);
    if (hub === undefined) throw new OrdinisError('E_SB_UNAVAILABLE', 'this process has no event bus');
    return { status: 200, stream: (res) => hub.attach(res, patterns) };
  };
  return [{ pattern: '/events', methods: { GET: stream } }];
}
