// Orders, broker answers and fills (EXEC).

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
export type TimeInForce = 'day' | 'gtc' | 'ioc';

/** What we intend to send. Persisted (unique idempotency key) before it is submitted. */
export interface OrderIntent {
  clientOrderId: string;
  idempotencyKey: string;
  correlationId: string;
  signalId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  orderType: OrderType;
  limitPrice?: number;
  timeInForce: TimeInForce;
  /** Decision time (ms). */
  ts: number;
}

export type OrderStatus = 'submitted' | 'partial_fill' | 'filled' | 'rejected' | 'canceled';

export interface Fill {
  fillId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  commission: number;
  /** Fill time (ms). */
  ts: number;
}

export interface ExecutionReport {
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  status: OrderStatus;
  qty: number;
  filledQty: number;
  fills: Fill[];
  avgPrice?: number;
  fees: number;
  slippage: number;
  rejectReason?: string;
  ts: number;
}

/** EXEC's output: orders submitted this cycle and reports captured for earlier ones. */
export interface ExecutionBatch {
  submitted: { intent: OrderIntent; report: ExecutionReport }[];
  /** Reports for orders resolved since the last cycle (fills to post, rejections). */
  resolved: ExecutionReport[];
  /** Orders the broker has not resolved yet. */
  working: string[];
}
