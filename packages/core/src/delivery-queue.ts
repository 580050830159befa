/**
 * Per-recipient delivery: a bounded queue pumped into one remote callback, one item at a time.
 * For servers that fan events out to many clients' callbacks (a chat room, a file monitor):
 * RPyC users build this by hand with threads; here it is one small class.
 *
 * Why one queue per recipient: a broadcast must never wait for the slowest listener. Each
 * recipient gets its own queue and its own pump, so a client that answers slowly (or never) only
 * delays itself; when its queue overflows, or a call fails or takes longer than `timeoutMs`, the
 * queue fails once (`onFail`) and drops everything it held. Order is kept per recipient.
 */

/** Bounds of one recipient's queue. */
export interface DeliveryLimits {
  /** Items waiting for one recipient before it counts as too slow and is dropped. */
  maxQueued: number;
  /** How long one callback may take before the recipient is dropped, in ms. */
  timeoutMs: number;
}

/**
 * The limits a queue uses unless told otherwise: 1,000 items waiting, 10 s per callback.
 *
 * @example
 * new DeliveryQueue(send, onFail, { ...DEFAULT_DELIVERY_LIMITS, maxQueued: 16 });
 */
export const DEFAULT_DELIVERY_LIMITS: Readonly<DeliveryLimits> = Object.freeze({
  maxQueued: 1000,
  timeoutMs: 10_000,
});

/** Why a queue gave up on its recipient. */
export type DeliveryFailure =
  | { reason: "overflow"; message: string }
  | { reason: "timeout"; message: string }
  | { reason: "error"; message: string; error: unknown };

/**
 * A bounded, ordered, fail-once queue in front of one async callback.
 *
 * @example
 * const q = new DeliveryQueue((e: ChatEvent) => onMessage(e), (f) => drop(f.message));
 * // onMessage: a client's callback (a netref); drop: forget that client
 * q.push(event); // returns at once; delivery happens in the background
 */
export class DeliveryQueue<T> {
  readonly #send: (item: T) => unknown;
  readonly #onFail: (failure: DeliveryFailure) => void;
  readonly #limits: DeliveryLimits;
  #items: T[] = [];
  #pumping = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(
    send: (item: T) => unknown,
    onFail: (failure: DeliveryFailure) => void,
    limits: Partial<DeliveryLimits> = {},
  ) {
    this.#send = send;
    this.#onFail = onFail;
    this.#limits = { ...DEFAULT_DELIVERY_LIMITS, ...limits };
  }

  /** Queues one item. Returns false (and does nothing) once the queue is closed or failed. */
  push(item: T): boolean {
    if (this.#closed) return false;
    if (this.#items.length >= this.#limits.maxQueued) {
      this.#fail({
        reason: "overflow",
        message: `more than ${this.#limits.maxQueued} items waiting: the recipient is too slow`,
      });
      return false;
    }
    this.#items.push(item);
    if (!this.#pumping) void this.#pump();
    return true;
  }

  /** Items waiting (not counting the one being delivered). */
  get size(): number {
    return this.#items.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops delivery and drops what is waiting. Idempotent; does not call `onFail`. */
  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#settle();
  }

  /** Resolves once nothing is waiting or being delivered (or the queue closed). */
  idle(): Promise<void> {
    if (!this.#pumping || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    while (!this.#closed && this.#items.length > 0) {
      const item = this.#items.shift() as T;
      const failure = await this.#deliver(item);
      if (failure) this.#fail(failure);
    }
    this.#pumping = false;
    this.#settle();
  }

  async #deliver(item: T): Promise<DeliveryFailure | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<DeliveryFailure>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            reason: "timeout",
            message: `the callback took longer than ${this.#limits.timeoutMs} ms`,
          }),
        this.#limits.timeoutMs,
      );
    });
    const sent = (async () => {
      await this.#send(item);
      return undefined;
    })().catch((error: unknown): DeliveryFailure => ({
      reason: "error",
      message: `the callback failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    }));
    try {
      return await Promise.race([sent, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #fail(failure: DeliveryFailure): void {
    if (this.#closed) return;
    this.close();
    this.#onFail(failure);
  }

  #settle(): void {
    if (this.#pumping && !this.#closed) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
