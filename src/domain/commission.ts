// Commission models as pure functions of (model, qty, price): RISK's cash check and the
// venue price orders with the same model. The arithmetic follows backtrader's CommInfoBase so fees (and the cash they drive) match it bit for bit:
// percent = |qty| * (percent / 100) * price, per share = |qty| * perShare.

import { OrdinisError } from '../errors.ts';

/** How a fill's commission is charged (backtrader's arithmetic): none, a percentage of notional, per share, or a flat amount per fill. */
export type CommissionModel =
  | { kind: 'none' }
  /** A percentage of fill notional, in percent units (0.1 = 0.1 %), like backtrader's `commission=0.1`. */
  | { kind: 'percent'; percent: number }
  /** Money per share, with an optional minimum per fill. */
  | { kind: 'per_share'; perShare: number; minPerFill?: number }
  /** A flat amount per fill (every fill of the paper broker is a whole order). */
  | { kind: 'fixed'; perFill: number };

export const NO_COMMISSION: CommissionModel = { kind: 'none' };

/** Commission charged on a fill of `qty` at `price`. */
export function commissionFor(model: CommissionModel, qty: number, price: number): number {
  switch (model.kind) {
    case 'none':
      return 0;
    case 'percent':
      return Math.abs(qty) * (model.percent / 100) * price;
    case 'per_share': {
      const c = Math.abs(qty) * model.perShare;
      return model.minPerFill !== undefined && c < model.minPerFill ? model.minPerFill : c;
    }
    case 'fixed':
      return model.perFill;
  }
}

/**
 * The model the EXEC_COMMISSION_MODEL / EXEC_COMMISSION_VALUE keys describe, in their units:
 * percent = a fraction of notional (0.001 = 0.1 %), per_share = money per share, fixed =
 * money per order. (The model itself keeps percent in percent units, like `--commission-pct`.)
 */
export function commissionModelOf(kind: 'none' | 'percent' | 'per_share' | 'fixed', value: number): CommissionModel {
  switch (kind) {
    case 'none':
      return NO_COMMISSION;
    case 'percent':
      return { kind: 'percent', percent: value * 100 };
    case 'per_share':
      return { kind: 'per_share', perShare: value };
    case 'fixed':
      return { kind: 'fixed', perFill: value };
  }
}

/** Validates a commission model (from config); throws E_CFG_INVALID. */
export function normalizeCommissionModel(input: CommissionModel | undefined): CommissionModel {
  if (input === undefined) return NO_COMMISSION;
  const bad = (msg: string): never => {
    throw new OrdinisError('E_CFG_INVALID', `commission model: ${msg}`, { details: { commission: input } });
  };
  const nonNeg = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`${name} must be a finite number >= 0`);
    return v as number;
  };
  switch (input.kind) {
    case 'none':
      return NO_COMMISSION;
    case 'percent':
      return { kind: 'percent', percent: nonNeg(input.percent, 'percent') };
    case 'per_share':
      return input.minPerFill === undefined
        ? { kind: 'per_share', perShare: nonNeg(input.perShare, 'perShare') }
        : { kind: 'per_share', perShare: nonNeg(input.perShare, 'perShare'), minPerFill: nonNeg(input.minPerFill, 'minPerFill') };
    case 'fixed':
      return { kind: 'fixed', perFill: nonNeg(input.perFill, 'perFill') };
    default:
      return bad(`unknown kind '${(input as { kind?: unknown }).kind}'`);
  }
}
