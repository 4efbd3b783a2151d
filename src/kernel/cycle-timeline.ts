// A cycle run's stage timeline, read back from its stored `cycle_result` artifact. Pure: the
// caller reads the artifacts; this picks the one to show and keeps only the fields a reader
// needs. Shared by the ops API (GET /runs/:id) and the CLI (`ordinis runs show`), so both
// show the same thing.

import { z } from 'zod';

/** The part of a stored CycleResult the timeline shows; extra fields are dropped. */
export const cycleResultView = z.object({
  schemaVersion: z.string(),
  status: z.string(),
  trigger: z.string(),
  cycleTime: z.string(),
  durationMs: z.number(),
  blockReason: z.string().nullable(),
  timedOut: z.boolean(),
  errors: z.array(z.object({ code: z.string(), message: z.string(), stage: z.string().optional() })),
  stageResults: z.array(
    z.object({
      stage: z.string(),
      status: z.string(),
      attempts: z.number(),
      durationMs: z.number(),
      errorCode: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
});

type View = z.output<typeof cycleResultView>;

export type TimelineStage = View['stageResults'][number];

export type CycleTimeline = { artifactId: number } & Omit<View, 'stageResults'> & { stages: TimelineStage[] };

export interface CycleTimelineRead {
  /** null when the run has no cycle_result artifact (a backtest, or a cycle cut short) or it is unreadable. */
  cycle: CycleTimeline | null;
  /** Set when there is an artifact but it does not have the expected shape. */
  unreadable?: string;
}

/**
 * The timeline from a run's `cycle_result` artifacts (in storage order). One per cycle run is
 * the rule; if there were more, the last one written wins.
 */
export function cycleTimeline(artifacts: readonly { id: number; content: unknown }[]): CycleTimelineRead {
  const artifact = artifacts.at(-1);
  if (!artifact) return { cycle: null };
  const parsed = cycleResultView.safeParse(artifact.content);
  if (!parsed.success) {
    return { cycle: null, unreadable: `cycle_result artifact ${artifact.id} does not have the expected shape` };
  }
  const { stageResults, ...rest } = parsed.data;
  return { cycle: { artifactId: artifact.id, ...rest, stages: stageResults } };
}
