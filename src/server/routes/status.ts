// Engine status plus the full kill-switch state (who activated it, when and why), which the
// engine's own summary of the switch leaves out.

import type { Route } from '../contract.ts';

export const statusRoutes: readonly Route[] = [
  {
    pattern: '/status',
    methods: {
      GET: (_req, deps) => ({ status: 200, json: { engine: deps.status(), kill: deps.kill.get() } }),
    },
  },
];
