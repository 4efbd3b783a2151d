// What POST /backtests needs from the process: a way to hand a validated backtest request to
// whatever runs them (in `ordinis paper --serve` and `ordinis serve`: an engine subscribed
// to `ordinis.ops.run.backtest.requested` on the bus). The route only asks; the outcome
// arrives later as `ordinis.ops.run.backtest.completed` or `.failed` on GET /events.

export interface BacktestSubmission {
  /** Also the correlation id of the requested, completed and failed events. */
  requestId: string;
  /** The `ordinis.ops.run.backtest.requested` event published. */
  eventId: string;
}

export interface BacktestRequests {
  /**
   * Publishes the request. Throws OrdinisError E_SB_BACKPRESSURE when requests are already
   * queued up to SB_MAX_QUEUE_DEPTH, E_SB_UNAVAILABLE when nothing serves them.
   */
  submit(request: Record<string, unknown>): BacktestSubmission;
}
