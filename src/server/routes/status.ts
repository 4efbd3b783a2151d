// Engine status plus the full kill-switch state (who activated it, when and why), which the
// engine's own summary of the switch leaves out. The switch is re-read from its store first:
// another process (the trading loop, the CLI) may have flipped it since this one loaded it.

import type { Route } from '../contract.ts';

export const statusRoutes: readonly Route[] = [
  {
    pattern: '/status',
    methods: {
      GET: (_req, deps) => {
        deps.kill.sync();
        return { status: 200, json: { engine: deps.status(), kill: deps.kill.get() } };
      },
    },
  },
];
