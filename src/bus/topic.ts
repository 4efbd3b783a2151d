// The topic grammar of EVT: `ordinis.<domain>.<segment>[.<segment>...]`.
//
// The spec names the canonical form `ordinis.<domain>.<entity>.<verb>`, but its own topic
// list has three-segment topics (`ordinis.signals.generated`, `ordinis.risk.decision`) and a
// five-segment one (`ordinis.ops.run.backtest.requested`). We therefore accept one to five
// segments after the domain. Segments are lower snake case so a topic is also a valid
// metric label and never contains a wildcard.

export const EVENT_DOMAINS = [
  'market',
  'features',
  'signals',
  'risk',
  'orders',
  'executions',
  'portfolio',
  'analytics',
  'gov',
  'ai',
  'learn',
  'ops',
] as const;

export type EventDomain = (typeof EVENT_DOMAINS)[number];

/** Domains whose events cause or record side effects: they must carry an idempotency key. */
export const SIDE_EFFECTING_DOMAINS: readonly EventDomain[] = ['orders', 'executions'];

export const TOPIC_ROOT = 'ordinis';
const MIN_SEGMENTS_AFTER_DOMAIN = 1;
const MAX_SEGMENTS_AFTER_DOMAIN = 5;
const SEGMENT = /^[a-z][a-z0-9_]*$/;
const DOMAIN_SET: ReadonlySet<string> = new Set(EVENT_DOMAINS);

export function isEventDomain(s: string): s is EventDomain {
  return DOMAIN_SET.has(s);
}

/** Why `topic` is not a valid event topic, or undefined when it is. */
export function topicProblem(topic: string): string | undefined {
  const segments = topic.split('.');
  if (segments[0] !== TOPIC_ROOT) return `must start with "${TOPIC_ROOT}." (got "${topic}")`;
  const domain = segments[1];
  if (domain === undefined || !isEventDomain(domain)) {
    return `unknown domain "${domain ?? ''}" in "${topic}" (expected one of ${EVENT_DOMAINS.join(', ')})`;
  }
  const rest = segments.length - 2;
  if (rest < MIN_SEGMENTS_AFTER_DOMAIN || rest > MAX_SEGMENTS_AFTER_DOMAIN) {
    return `must look like ordinis.<domain>.<entity>.<verb> with 1 to ${MAX_SEGMENTS_AFTER_DOMAIN} segments after the domain (got "${topic}")`;
  }
  for (let i = 2; i < segments.length; i++) {
    if (!SEGMENT.test(segments[i])) {
      return `segment "${segments[i]}" of "${topic}" must be lower snake case ([a-z][a-z0-9_]*)`;
    }
  }
  return undefined;
}

const SIDE_EFFECTING_PREFIXES = SIDE_EFFECTING_DOMAINS.map((d) => `${TOPIC_ROOT}.${d}.`);

/** True for `ordinis.orders.*` and `ordinis.executions.*`. */
export function isSideEffectingTopic(topic: string): boolean {
  return SIDE_EFFECTING_PREFIXES.some((prefix) => topic.startsWith(prefix));
}
