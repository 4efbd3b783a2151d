// GET /book: the trading book as the dashboard shows it: equity, cash, P&L, positions, order
// and fill counts (the figures /metrics has), the orders still working and the latest fills.
// A read route: no token. `null` before the first cycle has valued the book; a process with
// no book (`ordinis serve`) answers 404.

import { ApiError } from '../error-status.ts';
import { parseQuery } from '../validation.ts';
import { z } from 'zod';
import type { Route } from '../contract.ts';

const bookQuery = z.strictObject({});

export const bookRoutes: readonly Route[] = [
  {
    pattern: '/book',
    methods: {
      GET: (req, deps) => {
        parseQuery(bookQuery, req.query);
        if (!deps.book) throw new ApiError('E_API_NOT_FOUND', 'this process trades no book (GET /book is served by ordinis paper --serve)');
        return { status: 200, json: deps.book() };
      },
    },
  },
];
