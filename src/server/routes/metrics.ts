// Prometheus scrape endpoint over the engine's own registry, in the registry's exposition
// format and content type.

import type { Route } from '../contract.ts';

export const metricsRoutes: readonly Route[] = [
  {
    pattern: '/metrics',
    methods: {
      GET: async (_req, deps) => ({ status: 200, text: await deps.metrics.metrics(), contentType: deps.metrics.contentType }),
    },
  },
];
