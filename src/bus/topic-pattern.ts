// Subscription patterns: which topics a subscriber wants.
//
//   ordinis.market.bar.closed   exact topic
//   ordinis.*.bar.closed        `*` inside a pattern matches exactly one segment
//   ordinis.market.*            a trailing `*` matches ONE OR MORE trailing segments, so this
//                               matches ordinis.market.bar and ordinis.market.bar.closed,
//                               but not ordinis.market itself
//
// A `*` is a whole segment: `mark*` is rejected rather than guessed at. Patterns are compiled
// once at subscribe time; matching is then a string comparison or one anchored regex test.

import { OrdinisError } from '../errors.ts';
import { EVENT_DOMAINS, TOPIC_ROOT, isEventDomain } from './topic.ts';

export const WILDCARD = '*';

export interface TopicPattern {
  /** The pattern as written. */
  readonly source: string;
  readonly segments: readonly string[];
  /** True when the pattern has no wildcard and matches only itself. */
  readonly isExact: boolean;
  matches(topic: string): boolean;
}

/** Why `pattern` is not a well-formed pattern, or undefined when it is. */
export function topicPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'topic pattern is empty';
  const segments = pattern.split('.');
  for (const segment of segments) {
    if (segment.length === 0) return `topic pattern "${pattern}" has an empty segment`;
    if (segment !== WILDCARD && segment.includes(WILDCARD)) {
      return `"${segment}" in topic pattern "${pattern}": a wildcard must be a whole segment`;
    }
    if (/\s/.test(segment)) return `topic pattern "${pattern}" contains whitespace`;
  }
  return undefined;
}

/** Compiles a pattern; throws OrdinisError E_EVT_TOPIC_UNKNOWN when it is malformed. */
export function compileTopicPattern(pattern: string): TopicPattern {
  const problem = topicPatternProblem(pattern);
  if (problem !== undefined) throw new OrdinisError('E_EVT_TOPIC_UNKNOWN', problem, { details: { pattern } });
  const segments = Object.freeze(pattern.split('.'));
  if (!segments.includes(WILDCARD)) {
    return { source: pattern, segments, isExact: true, matches: (topic) => topic === pattern };
  }
  const regex = patternRegex(segments);
  return { source: pattern, segments, isExact: false, matches: (topic) => regex.test(topic) };
}

const ONE_SEGMENT = '[^.]+';
const ONE_OR_MORE_SEGMENTS = '[^.]+(?:\\.[^.]+)*';

function patternRegex(segments: readonly string[]): RegExp {
  const last = segments.length - 1;
  const parts = segments.map((segment, i) => {
    if (segment !== WILDCARD) return escapeRegex(segment);
    return i === last ? ONE_OR_MORE_SEGMENTS : ONE_SEGMENT;
  });
  return new RegExp(`^${parts.join('\\.')}$`);
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * Why a well-formed pattern can never match a valid event topic (wrong root, unknown
 * domain), or undefined. Catches `ordinis.markets.*` at subscribe time instead of leaving a
 * subscriber that silently never fires.
 */
export function eventPatternProblem(pattern: TopicPattern): string | undefined {
  const [root, domain] = pattern.segments;
  if (root !== WILDCARD && root !== TOPIC_ROOT) {
    return `topic pattern "${pattern.source}" can never match: topics start with "${TOPIC_ROOT}."`;
  }
  if (domain !== undefined && domain !== WILDCARD && !isEventDomain(domain)) {
    return `topic pattern "${pattern.source}" can never match: unknown domain "${domain}" (expected one of ${EVENT_DOMAINS.join(', ')})`;
  }
  if (domain === undefined && root !== WILDCARD) {
    return `topic pattern "${pattern.source}" can never match: a topic has a domain after "${TOPIC_ROOT}"`;
  }
  return undefined;
}

/** Every event topic. */
export const ALL_EVENTS_PATTERN = 'ordinis.*';

/** Patterns from a comma list (empty: every event); a bad one is E_CFG_INVALID naming `flag`. */
export function topicPatternsFromList(list: string, flag: string): TopicPattern[] {
  const sources = list.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (sources.length === 0) sources.push(ALL_EVENTS_PATTERN);
  return sources.map((source) => {
    let pattern: TopicPattern;
    try {
      pattern = compileTopicPattern(source);
    } catch (e) {
      throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(source)}: ${e instanceof Error ? e.message.replace(/^E_[A-Z_]+: /, '') : 'malformed'}`, { cause: e });
    }
    const problem = eventPatternProblem(pattern);
    if (problem !== undefined) throw new OrdinisError('E_CFG_INVALID', `${flag} ${JSON.stringify(source)}: ${problem}`);
    return pattern;
  });
}
