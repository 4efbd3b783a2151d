// HOOK: user and governance checks run at every stage boundary. Hooks run in priority
// order (lower first), each within its own budget. A HARD hook that denies, throws or times
// out blocks the cycle (E_HOOK_DENIED); a SOFT hook's exception is swallowed and reported,
// its timeout allows with a warning, its deny is a warning. A `modify` patch may only narrow
// what the next stage receives (cut an order, never grow one).

import { OrdinisError } from '../../errors.ts';
import type { StageName, StageContext } from '../../kernel/stage-contract.ts';

export type HookMode = 'HARD' | 'SOFT';
export type HookVerdict = 'allow' | 'deny' | 'modify';

/** Narrowing patch for the RISK → EXEC boundary: per-symbol order quantities. */
export interface HookPatch {
  /** New quantity per symbol; must be <= the current quantity (0 drops the order). */
  qty?: Record<string, number>;
}

export interface HookResult {
  decision: HookVerdict;
  reasons?: string[];
  patch?: HookPatch;
}

export interface BoundaryContext {
  /** The stage about to run. */
  stage: StageName;
  correlationId: string;
  cycleTime: number;
  data: StageContext['data'];
  signal: AbortSignal;
}

export interface Hook {
  id: string;
  priority: number;
  mode: HookMode;
  /** Boundaries this hook runs at; all when omitted. */
  stages?: readonly StageName[];
  /** Per-hook budget; defaults to HOOK_STAGE_BUDGET_MS. */
  budgetMs?: number;
  run(ctx: BoundaryContext): HookResult | Promise<HookResult>;
}

export interface HookReport {
  hookId: string;
  mode: HookMode;
  outcome: 'allow' | 'deny' | 'modify' | 'error' | 'timeout';
  reasons: string[];
}

export interface BoundaryOutcome {
  allowed: boolean;
  /** Set when a HARD hook blocked. */
  blockedBy?: { hookId: string; reason: string };
  /** Narrowed quantities to apply to the decisions before the stage runs. */
  patch?: HookPatch;
  reports: HookReport[];
  /** SOFT failures and timeouts, for `ordinis.ops.hook.error`. */
  warnings: HookReport[];
}

const ALLOW_ALL: BoundaryOutcome = Object.freeze({ allowed: true, reports: [], warnings: [] }) as BoundaryOutcome;

export class HookManager {
  private readonly byStage = new Map<StageName, Hook[]>();
  private readonly ids = new Set<string>();

  constructor(private readonly defaultBudgetMs = 50) {}

  register(hook: Hook): void {
    if (!hook.id) throw new OrdinisError('E_HOOK_DUPLICATE_ID', 'a hook needs an id');
    if (this.ids.has(hook.id)) throw new OrdinisError('E_HOOK_DUPLICATE_ID', `hook id '${hook.id}' registered twice`);
    if (hook.mode !== 'HARD' && hook.mode !== 'SOFT') throw new OrdinisError('E_CFG_INVALID', `hook '${hook.id}': mode must be HARD or SOFT`);
    this.ids.add(hook.id);
    const stages = hook.stages ?? (['ING', 'FEAT', 'SIG', 'RISK', 'EXEC', 'PORT', 'ANA', 'AUDIT'] as const);
    for (const s of stages) {
      const list = this.byStage.get(s) ?? [];
      list.push(hook);
      // Stable: equal priorities keep registration order.
      list.sort((a, b) => a.priority - b.priority);
      this.byStage.set(s, list);
    }
  }

  has(stage: StageName): boolean {
    return (this.byStage.get(stage)?.length ?? 0) > 0;
  }

  /**
   * Runs the boundary's hooks. Synchronous hooks are evaluated without timers so a
   * boundary with cheap hooks costs microseconds; a hook that returns a promise is raced
   * against its budget.
   */
  async runBoundary(ctx: BoundaryContext): Promise<BoundaryOutcome> {
    const hooks = this.byStage.get(ctx.stage);
    if (!hooks || hooks.length === 0) return ALLOW_ALL;
    const reports: HookReport[] = [];
    const warnings: HookReport[] = [];
    let patch: HookPatch | undefined;
    for (const hook of hooks) {
      const report = await this.runOne(hook, ctx);
      reports.push(report);
      if (report.outcome === 'error' || report.outcome === 'timeout' || report.outcome === 'deny') {
        if (hook.mode === 'HARD') {
          return { allowed: false, blockedBy: { hookId: hook.id, reason: report.reasons.join('; ') || report.outcome }, reports, warnings };
        }
        warnings.push(report);
        continue;
      }
      if (report.outcome === 'modify' && report.patch) {
        patch = mergeNarrowing(patch, report.patch);
      }
    }
    return { allowed: true, ...(patch ? { patch } : {}), reports, warnings };
  }

  private async runOne(hook: Hook, ctx: BoundaryContext): Promise<HookReport & { patch?: HookPatch }> {
    const budget = hook.budgetMs ?? this.defaultBudgetMs;
    let result: HookResult;
    try {
      const r = hook.run(ctx);
      result = isPromise(r) ? await raceBudget(r, budget) : r;
    } catch (e) {
      if (e === TIMEOUT) return { hookId: hook.id, mode: hook.mode, outcome: 'timeout', reasons: [`hook exceeded its ${budget} ms budget`] };
      return { hookId: hook.id, mode: hook.mode, outcome: 'error', reasons: [e instanceof Error ? e.message : String(e)] };
    }
    if (!result || (result.decision !== 'allow' && result.decision !== 'deny' && result.decision !== 'modify')) {
      return { hookId: hook.id, mode: hook.mode, outcome: 'error', reasons: ['hook returned no valid decision'] };
    }
    return {
      hookId: hook.id,
      mode: hook.mode,
      outcome: result.decision,
      reasons: result.reasons ?? [],
      ...(result.patch ? { patch: result.patch } : {}),
    };
  }
}

const TIMEOUT = Symbol('hook-timeout');

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

function raceBudget<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(TIMEOUT), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** Two patches combine to the narrower of the two for each symbol. */
export function mergeNarrowing(a: HookPatch | undefined, b: HookPatch): HookPatch {
  if (!a) return { ...(b.qty ? { qty: { ...b.qty } } : {}) };
  const qty: Record<string, number> = { ...a.qty };
  for (const [sym, q] of Object.entries(b.qty ?? {})) qty[sym] = sym in qty ? Math.min(qty[sym]!, q) : q;
  return { qty };
}

/**
 * Checks a patch against the current quantities: it may only lower a quantity, to a whole
 * number >= 0, for a symbol that has an order. Anything else widens and is refused.
 */
export function assertNarrowing(patch: HookPatch, current: ReadonlyMap<string, number>): void {
  for (const [sym, q] of Object.entries(patch.qty ?? {})) {
    const cur = current.get(sym);
    if (cur === undefined) throw new OrdinisError('E_HOOK_PATCH_WIDENS', `patch adds an order for ${sym}`);
    if (!Number.isInteger(q) || q < 0) throw new OrdinisError('E_HOOK_PATCH_WIDENS', `patch qty for ${sym} must be a whole number >= 0, got ${q}`);
    if (q > cur) throw new OrdinisError('E_HOOK_PATCH_WIDENS', `patch raises ${sym} from ${cur} to ${q}`);
  }
}
