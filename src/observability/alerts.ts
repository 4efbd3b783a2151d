// Alerts (L2-08 §10): consecutive failed cycles, audit failures, kill-switch activations.
// `stepAlerts` is the pure state machine (state, input) -> (state, alerts); AlertMonitor is
// the thin effect around it: an error-level log line, ordinis_alerts_total{alert}, an optional sink.
//
// Streak rule: only a `failed` cycle extends the streak; `ok` and `degraded` end it; a
// `blocked` cycle (kill switch, stale data) neither extends nor ends it. The alert fires
// once per streak, when it reaches the threshold, and is logged as resolved when it ends.

import { OrdinisError } from '../errors.ts';
import type { Logger } from './logger.ts';
import type { CycleStatusLabel, OrchMetrics } from './metrics.ts';

export const ALERT_NAMES = ['consecutive_failed_cycles', 'audit_failure', 'kill_switch_activated'] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export const DEFAULT_CONSECUTIVE_FAILURE_THRESHOLD = 3;

export type AlertInput =
  | { kind: 'cycle'; status: CycleStatusLabel; correlationId: string; errorCodes?: readonly string[] }
  | { kind: 'audit_failure'; correlationId?: string; errorCode?: string; message?: string }
  | { kind: 'kill_activated'; reason: string; actor?: string };

export interface AlertState {
  readonly consecutiveFailed: number;
  /** The consecutive-failure alert fired for the current streak. */
  readonly streakAlerted: boolean;
}

export const INITIAL_ALERT_STATE: AlertState = Object.freeze({ consecutiveFailed: 0, streakAlerted: false });

export interface Alert {
  alert: AlertName;
  message: string;
  fields: Record<string, unknown>;
}

export interface AlertStep {
  state: AlertState;
  raised: Alert[];
  resolved: AlertName[];
}

export function stepAlerts(state: AlertState, input: AlertInput, threshold: number): AlertStep {
  switch (input.kind) {
    case 'cycle': {
      if (input.status === 'blocked') return { state, raised: [], resolved: [] };
      if (input.status !== 'failed') {
        const next = INITIAL_ALERT_STATE;
        return { state: next, raised: [], resolved: state.streakAlerted ? ['consecutive_failed_cycles'] : [] };
      }
      const consecutiveFailed = state.consecutiveFailed + 1;
      if (state.streakAlerted || consecutiveFailed < threshold) {
        return { state: { consecutiveFailed, streakAlerted: state.streakAlerted }, raised: [], resolved: [] };
      }
      return {
        state: { consecutiveFailed, streakAlerted: true },
        raised: [{
          alert: 'consecutive_failed_cycles',
          message: `${consecutiveFailed} consecutive failed cycles (threshold ${threshold})`,
          fields: { consecutive_failed: consecutiveFailed, threshold, correlation_id: input.correlationId, error_codes: input.errorCodes ?? [] },
        }],
        resolved: [],
      };
    }
    case 'audit_failure':
      return {
        state,
        raised: [{
          alert: 'audit_failure',
          message: `audit failure${input.errorCode ? ` (${input.errorCode})` : ''}${input.message ? `: ${input.message}` : ''}`,
          fields: {
            ...(input.correlationId !== undefined ? { correlation_id: input.correlationId } : {}),
            ...(input.errorCode !== undefined ? { error_code: input.errorCode } : {}),
          },
        }],
        resolved: [],
      };
    case 'kill_activated':
      return {
        state,
        raised: [{
          alert: 'kill_switch_activated',
          message: `kill switch activated: ${input.reason}`,
          fields: { reason: input.reason, ...(input.actor !== undefined ? { actor: input.actor } : {}) },
        }],
        resolved: [],
      };
  }
}

export interface AlertMonitorOptions {
  logger: Logger;
  /** ordinis_alerts_total{alert} and ordinis_consecutive_failed_cycles are kept here when given. */
  metrics?: Pick<OrchMetrics, 'alertRaised' | 'setConsecutiveFailedCycles'>;
  /** Failed cycles in a row that raise an alert (OBS_ALERT_CONSECUTIVE_FAILURES), default 3. */
  consecutiveFailureThreshold?: number;
  /** Extra sink (an ops event, a pager); its errors are logged, never thrown. */
  onAlert?: (alert: Alert) => void;
}

export class AlertMonitor {
  private current: AlertState = INITIAL_ALERT_STATE;
  private readonly threshold: number;

  constructor(private readonly options: AlertMonitorOptions) {
    this.threshold = options.consecutiveFailureThreshold ?? DEFAULT_CONSECUTIVE_FAILURE_THRESHOLD;
    if (!Number.isInteger(this.threshold) || this.threshold < 1) {
      throw new OrdinisError('E_CFG_INVALID', `consecutive failure threshold: got ${this.threshold}; expected an integer >= 1`);
    }
  }

  get state(): AlertState {
    return this.current;
  }

  cycleFinished(outcome: { status: CycleStatusLabel; correlationId: string; errorCodes?: readonly string[] }): Alert[] {
    const raised = this.apply({ kind: 'cycle', ...outcome });
    this.options.metrics?.setConsecutiveFailedCycles(this.current.consecutiveFailed);
    return raised;
  }

  auditFailed(info: { correlationId?: string; errorCode?: string; message?: string } = {}): Alert[] {
    return this.apply({ kind: 'audit_failure', ...info });
  }

  killActivated(info: { reason: string; actor?: string }): Alert[] {
    return this.apply({ kind: 'kill_activated', ...info });
  }

  private apply(input: AlertInput): Alert[] {
    const step = stepAlerts(this.current, input, this.threshold);
    this.current = step.state;
    const { logger, metrics, onAlert } = this.options;
    for (const a of step.raised) {
      logger.error({ alert: a.alert, ...a.fields }, `ALERT ${a.alert}: ${a.message}`);
      metrics?.alertRaised(a.alert);
      if (onAlert) {
        try {
          onAlert(a);
        } catch (e) {
          logger.warn({ alert: a.alert, err: e }, 'alert sink failed');
        }
      }
    }
    for (const name of step.resolved) logger.info({ alert: name, resolved: true }, `alert resolved: ${name}`);
    return step.raised;
  }
}
