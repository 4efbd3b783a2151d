// What makes a run live, from the configuration: whether it may trade at all (LIVE_ENABLED
// and the prod profile's invariants), how it reconciles (LIVE_RECONCILE_*), and the order caps
// RISK adds (LIVE_MAX_*). The broker itself comes from the venue table (venue-table.ts).

import type { OrdinisConfig } from '../../config/schema.ts';
import { PROD_INVARIANTS } from '../../config/profiles.ts';
import { OrdinisError } from '../../errors.ts';
import type { BrokerAdapter } from '../../stages/exec/broker-adapter.ts';
import type { RiskPolicy } from '../../stages/risk/policy.ts';
import { DEFAULT_POLICY_CHAIN } from '../../stages/risk/chain.ts';
import { orderNotionalCapPolicy, orderRateCapPolicy } from '../../stages/risk/policies/order-caps.ts';
import type { ReconcileTolerance } from './reconcile.ts';

/** A live run's venue as the runtime takes it: the broker adapter (for the simulated venue's place), reconciliation, RISK's chain. */
export interface LiveVenue {
  /** The --broker value, e.g. alpaca. */
  name: string;
  broker: BrokerAdapter;
  reconcile: { every: number; tolerance: ReconcileTolerance };
  /** The default chain plus the order caps. */
  riskPolicies: readonly RiskPolicy[];
}

/** Refuses (E_CFG_INVALID naming the key) unless LIVE_ENABLED is true and every prod invariant holds. */
export function assertLiveAllowed(config: OrdinisConfig): void {
  if (!config.LIVE_ENABLED) {
    throw new OrdinisError('E_CFG_INVALID', 'LIVE_ENABLED is false: `ordinis live` trades real orders and refuses until it is set true (env ORDINIS_LIVE_ENABLED=true or the profile file)', {
      details: { key: 'LIVE_ENABLED' },
    });
  }
  const broken = PROD_INVARIANTS.filter((inv) => !inv.holds(config));
  if (broken.length > 0) {
    throw new OrdinisError('E_CFG_INVALID', `\`ordinis live\` needs the prod profile's invariants: ${broken.map((inv) => `${inv.id} (${inv.key} must be ${inv.expected})`).join('; ')}`, {
      details: { invariants: broken.map((inv) => inv.id) },
    });
  }
}

/** The live venue around a broker adapter, shaped by the LIVE_* keys. */
export function liveVenueOf(name: string, broker: BrokerAdapter, config: OrdinisConfig): LiveVenue {
  return {
    name,
    broker,
    reconcile: { every: config.LIVE_RECONCILE_EVERY, tolerance: { cash: config.LIVE_RECONCILE_CASH_TOLERANCE, positionQty: config.LIVE_RECONCILE_QTY_TOLERANCE } },
    riskPolicies: [...DEFAULT_POLICY_CHAIN, orderNotionalCapPolicy(config.LIVE_MAX_ORDER_NOTIONAL), orderRateCapPolicy(config.LIVE_MAX_ORDERS_PER_MINUTE)],
  };
}
