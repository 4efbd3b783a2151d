// The durable kill check EXEC makes immediately before each broker submission.
//
// The kill switch a process holds is a cache of the stored state; another process (the
// `ordinis kill activate` CLI, another ops API) commits an activation to the database, and a
// loop that only re-read it between stages kept submitting until it noticed. The rule is
// "no submission follows a committed activation", so the check belongs right at the
// submission, per order, and it must be ordered against the activation's commit: the gate
// takes the store's write lock, reads the durable state and calls the broker under it. An
// activation is then either committed before the check (seen: the order is refused) or
// after the submission was recorded. A synchronous venue that records its orders in the
// same database (the paper venue) records them inside that transaction; a remote broker's
// call is sent under the lock and answered after it.

export interface SubmissionGate {
  /**
   * Calls `submit` only if the stored kill state is INACTIVE, holding the store's write lock
   * from that check until `submit` returns; returns undefined, without calling it, when the
   * switch is active (the in-process switch has adopted the stored state by then).
   */
  send<T>(submit: () => T): T | undefined;
}
