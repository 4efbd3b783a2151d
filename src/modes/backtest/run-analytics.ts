// A backtest's result (order counts, final value, KPIs, closed trades, the equity curve) is
// kept by the default analytics engine. When a user replaces ANA, the run still needs those
// figures: the default engine then runs alongside the user's stage, on the same cycle data,
// first, and the cycle carries the user's output. Both are bookkeeping (no side effects),
// and the default engine returns its first report when a retry runs it twice for a cycle.

import type { Stage, StageContext, StageOutputs } from '../../kernel/stage-contract.ts';
import type { AnalyticsStage } from '../../stages/ana/analytics-stage.ts';

/**
 * The ANA slot of a backtest whose ANA is replaced: `book()` (the pipeline's default
 * analytics, known once the pipeline is assembled) keeps the run's figures, then `user` runs.
 */
export function withRunAnalytics(book: () => AnalyticsStage, user: Stage<'ANA'>): Stage<'ANA'> {
  // A stage that does not call itself ANA is handed on as it is: the engine refuses it at start(), naming it.
  if ((user.name as string) !== 'ANA') return user;
  const stage: Stage<'ANA'> = {
    name: 'ANA',
    run(ctx: StageContext): StageOutputs['ANA'] | Promise<StageOutputs['ANA']> {
      book().run(ctx);
      return user.run(ctx);
    },
  };
  if (user.summarize) {
    const summarize = user.summarize.bind(user);
    return { ...stage, summarize };
  }
  return stage;
}
