// Deterministic order identity. The idempotency key is a hash of what makes an order this
// order (cycle, signal, symbol, side, size), so running EXEC again for the same cycle
// derives the same key and can never place the order twice.

import { hash } from 'node:crypto';
import type { OrderIntent, OrderSide, OrderTerms } from '../../domain/order.ts';

export interface OrderIdentityInput {
  correlationId: string;
  signalId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  /** A non-market order's terms are part of what makes it this order. */
  terms?: OrderTerms;
}

export function idempotencyKeyFor(i: OrderIdentityInput): string {
  // One-shot hash: the digest of a Hash object's update/digest, without the object.
  // A market order's key is what it always was (keys on file stay valid); other types add their terms.
  const t = i.terms;
  const identity: unknown[] = [i.correlationId, i.signalId, i.symbol, i.side, i.qty];
  if (t !== undefined && t.orderType !== 'market') identity.push(t.orderType, t.limitPrice ?? null, t.stopPrice ?? null, t.timeInForce ?? null);
  if (t?.trailAmount !== undefined || t?.trailPercent !== undefined) identity.push(t.trailAmount ?? null, t.trailPercent ?? null);
  if (t?.ocoWith !== undefined) identity.push(t.ocoWith);
  return hash('sha256', JSON.stringify(identity), 'hex');
}

/** Client order ids are derived from the key: short, unique in practice (96 bits), stable. */
export function clientOrderIdFor(idempotencyKey: string): string {
  return `ord-${idempotencyKey.slice(0, 24)}`;
}

/** Null when the two intents describe the same order; otherwise what differs. */
export function intentDifference(a: OrderIntent, b: OrderIntent): string | null {
  const fields = ['clientOrderId', 'idempotencyKey', 'symbol', 'side', 'qty', 'orderType', 'limitPrice', 'stopPrice', 'trailAmount', 'trailPercent', 'parentId', 'ocoWith', 'timeInForce'] as const;
  for (const f of fields) {
    if (a[f] !== b[f]) return `${f} differs (${String(a[f])} vs ${String(b[f])})`;
  }
  return null;
}
