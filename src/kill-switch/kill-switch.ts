// The kill switch (KILL). One object holds the state; ORCH (before SIG), RISK (hard block)
// and EXEC (before submit) all ask it. Transitions are idempotent-by-refusal: activating an
// active switch is E_KILL_ALREADY_ACTIVE, so two operators cannot silently overwrite each
// other's reason. Every change is governed, audited, persisted and announced.

import { OrdinisError } from '../errors.ts';
import type { Clock } from '../core/clock.ts';
import { toRfc3339 } from '../core/clock.ts';
import type { EventEmitterPort } from '../bus/contract.ts';
import { GOV_ACTION, type Governance } from '../governance/contract.ts';
import type { KillState, KillSwitchStore } from './contract.ts';

export interface KillSwitchOptions {
  store: KillSwitchStore;
  /**
   * Stamps `activatedAt` / `updatedAt`: when an operator (or the system) changed the state.
   * A wall clock wherever the state is stored, never a replay's bar clock: the stamps are read
   * by people and aged by retention. A backtest's in-memory switch may use its bar clock.
   */
  clock: Clock;
  governance?: Governance;
  events?: EventEmitterPort;
  /**
   * What an unreadable stored state means. `true` (prod): ACTIVE, since trading on an
   * unknown kill state is the one mistake that cannot be undone.
   */
  failSafe: boolean;
  onChange?: (state: KillState, change: 'activated' | 'deactivated') => void;
}

export const INACTIVE_STATE = (at: string): KillState => ({
  state: 'INACTIVE',
  reason: null,
  activatedAt: null,
  actor: null,
  updatedAt: at,
});

export class KillSwitch {
  private state: KillState;
  /** Set when the stored state could not be read at start-up. */
  readonly loadError: Error | undefined;
  /** ACTIVE in memory but not yet in the store (the write failed). */
  private unpersisted = false;
  private readonly listeners: Array<(s: KillState, change: 'activated' | 'deactivated') => void> = [];

  constructor(private readonly opts: KillSwitchOptions) {
    const now = toRfc3339(opts.clock.now());
    let loaded: KillState | undefined;
    let loadError: Error | undefined;
    try {
      loaded = opts.store.load();
    } catch (e) {
      loadError = e instanceof Error ? e : new Error(String(e));
    }
    this.loadError = loadError;
    if (loadError) {
      this.state = opts.failSafe
        ? { state: 'ACTIVE', reason: `state unreadable at start-up: ${loadError.message}`, activatedAt: now, actor: 'system', updatedAt: now }
        : INACTIVE_STATE(now);
    } else {
      this.state = loaded ?? INACTIVE_STATE(now);
    }
    if (opts.onChange) this.listeners.push(opts.onChange);
  }

  get(): KillState {
    return { ...this.state };
  }

  /**
   * Adopts the stored state when another process (the CLI, a second API) changed it. The
   * engine calls this at the start of every cycle and before EXEC, so an operator's
   * `ordinis kill activate` reaches a running loop within one cycle. An unreadable store
   * counts as ACTIVE when fail-safe. Returns the change adopted, if any.
   */
  sync(): 'activated' | 'deactivated' | null {
    // An activation the store refused is still in force: the stale INACTIVE row must not
    // undo it. Try to persist it again instead.
    if (this.unpersisted) {
      try {
        this.opts.store.save(this.state);
        this.unpersisted = false;
      } catch {
        return null;
      }
    }
    let stored: KillState | undefined;
    try {
      stored = this.opts.store.load();
    } catch (e) {
      if (!this.opts.failSafe || this.state.state === 'ACTIVE') return null;
      const now = toRfc3339(this.opts.clock.now());
      stored = { state: 'ACTIVE', reason: `state unreadable: ${e instanceof Error ? e.message : String(e)}`, activatedAt: now, actor: 'system', updatedAt: now };
    }
    if (!stored || (stored.state === this.state.state && stored.updatedAt === this.state.updatedAt)) return null;
    const change = stored.state === 'ACTIVE' ? 'activated' : 'deactivated';
    const flipped = stored.state !== this.state.state;
    this.state = { ...stored };
    if (flipped) for (const l of this.listeners) l(this.get(), change);
    return flipped ? change : null;
  }

  /** The hot-path check: a field read, no I/O. */
  isActive(): boolean {
    return this.state.state === 'ACTIVE';
  }

  /** Enforcement: throws E_KILL_ACTIVE naming the component that was refused. */
  enforce(component: string): void {
    if (this.state.state === 'ACTIVE') {
      throw new OrdinisError('E_KILL_ACTIVE', `${component} refused: kill switch active (${this.state.reason ?? 'no reason'})`, {
        details: { component, reason: this.state.reason, actor: this.state.actor },
      });
    }
  }

  onChange(listener: (s: KillState, change: 'activated' | 'deactivated') => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  activate(reason: string, actor: string, correlationId: string | null = null): KillState {
    if (!reason.trim()) throw new OrdinisError('E_CFG_INVALID', 'kill switch activation needs a reason');
    this.sync();
    if (this.state.state === 'ACTIVE') {
      throw new OrdinisError('E_KILL_ALREADY_ACTIVE', `kill switch already active since ${this.state.activatedAt} (${this.state.reason})`);
    }
    // Activation is never denied by governance: stopping trading must always be possible.
    // It is still preflighted so the decision is on the audit record.
    try {
      this.opts.governance?.preflight({ componentId: 'kill', action: GOV_ACTION.killActivate, actor, correlationId, payload: { reason } });
    } catch {
      // An audit store that is down must not keep the switch off; the activation's own
      // audit record below is attempted again after the state has changed.
    }
    const now = toRfc3339(this.opts.clock.now());
    const next: KillState = { state: 'ACTIVE', reason, activatedAt: now, actor, updatedAt: now };
    this.commit(next, 'activated', correlationId);
    return this.get();
  }

  deactivate(actor: string, correlationId: string | null = null): KillState {
    this.sync();
    if (this.state.state === 'INACTIVE') throw new OrdinisError('E_KILL_ALREADY_INACTIVE', 'kill switch already inactive');
    const gov = this.opts.governance?.preflight({
      componentId: 'kill',
      action: GOV_ACTION.killDeactivate,
      actor,
      correlationId,
      payload: { reason: this.state.reason },
    });
    if (gov && gov.decision === 'deny') {
      throw new OrdinisError('E_KILL_GOV_DENIED', `deactivation by ${actor} denied: ${gov.reasons.join('; ')}`);
    }
    const now = toRfc3339(this.opts.clock.now());
    this.commit(INACTIVE_STATE(now), 'deactivated', correlationId, actor);
    return this.get();
  }

  private commit(next: KillState, change: 'activated' | 'deactivated', correlationId: string | null, actor = next.actor ?? 'system'): void {
    const prev = this.state;
    // Persist first. A failed write on deactivation leaves the switch ACTIVE (and throws);
    // on activation the switch is ACTIVE in memory anyway, marked unpersisted so `sync`
    // keeps it and retries the write, and the caller still learns the write failed.
    let saveError: unknown;
    try {
      this.opts.store.save(next);
    } catch (e) {
      if (change === 'deactivated') throw e;
      saveError = e;
      this.unpersisted = true;
    }
    this.state = next;
    // The state change stands even if its audit record cannot be written; the caller sees
    // the E_GOV_AUDIT_WRITE_FAILED after listeners and events have been told.
    let auditError: unknown;
    try {
      this.opts.governance?.audit({
      kind: `kill.${change === 'activated' ? 'activate' : 'deactivate'}`,
      componentId: 'kill',
      action: `kill.${change}`,
      actor,
      correlationId,
      decision: next.state,
      payload: { previous: prev.state, reason: next.reason ?? prev.reason },
      });
    } catch (e) {
      auditError = e;
    }
    this.opts.events?.emit(`ordinis.ops.kill.${change}`, { state: next.state, reason: next.reason ?? prev.reason, actor }, {
      ...(correlationId ? { correlationId } : {}),
      partitionKey: 'kill',
    });
    for (const l of this.listeners) l(this.get(), change);
    if (saveError) throw saveError;
    if (auditError) throw auditError;
  }
}
