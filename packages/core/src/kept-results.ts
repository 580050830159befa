/**
 * Results this side keeps for its peer, bounded by count and by bytes:
 *
 * - **held** results (`Request.hold`, answered `Held`): kept until the peer takes them
 *   (`Op.Take`) or forgets them (`Forget`). Past `maxHeldResults` or `maxHeldBytes`, a result is
 *   not held: the caller replies it as usual, which the send queue's own bounds then cover.
 * - **pinned** results (`Request.pin`): kept until the `pin` dependents the peer announced have
 *   used them. When keeping one would pass `maxHeldBytes` (and something else is pinned already,
 *   so one result alone always fits), its dependents get `RPYC_ERR_TOO_MANY_REQUESTS` instead
 *   of the value: a peer that never sends the dependents it promised cannot pin memory without
 *   bound. The request itself is answered as usual.
 *
 * Each kind has its own `maxHeldBytes` budget (held results linger until the peer collects its
 * promises, which must not starve pipelining), measured with `retainedBytes` (an estimate: byte
 * containers and strings count their length; see @rpyc/netref value-size). An asynchronous
 * result is measured when it settles.
 */
import { retainedBytes } from "@rpyc/netref";
import { TooManyRequestsError, UnknownRefError } from "./errors.ts";

/** The bounds, read from the connection's config. */
export interface KeptResultsLimits {
  readonly maxHeldResults: number;
  readonly maxHeldBytes: number;
}

/**
 * A pipelined result kept for its dependents: the value itself when the handler returned
 * synchronously (so dependents run synchronously too), else the handler's promise.
 */
interface Pinned {
  result: unknown;
  remaining: number;
  bytes: number;
}

interface Held {
  readonly result: unknown;
  readonly bytes: number;
}

export class KeptResults {
  readonly #pinned = new Map<number, Pinned>();
  readonly #held = new Map<number, Held>();
  /** Estimated bytes of the held results. */
  heldBytes = 0;
  /** Estimated bytes of the pinned results. */
  pinnedBytes = 0;

  constructor(private readonly limits: KeptResultsLimits) {}

  /** Results held for the peer (answered `Held`, not yet taken or forgotten). */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Pipelined results waiting for dependents. */
  get pinnedCount(): number {
    return this.#pinned.size;
  }

  /** Holds `result` for request `seq` when both bounds allow; false: reply it instead. */
  hold(seq: number, result: unknown): boolean {
    if (this.#held.size >= this.limits.maxHeldResults) return false;
    const bytes = retainedBytes(result);
    if (this.heldBytes + bytes > this.limits.maxHeldBytes) return false;
    this.#held.set(seq, { result, bytes });
    this.heldBytes += bytes;
    return true;
  }

  /** True when request `seq`'s result is held. */
  isHeld(seq: number): boolean {
    return this.#held.has(seq);
  }

  /** The held result of `seq`, which is no longer held (`isHeld` must be true). */
  take(seq: number): unknown {
    const entry = this.#held.get(seq)!;
    this.forget([seq]);
    return entry.result;
  }

  /** The peer will never take these results. Unknown seqs are ignored (already taken). */
  forget(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const entry = this.#held.get(seq);
      if (entry !== undefined && this.#held.delete(seq)) this.heldBytes -= entry.bytes;
    }
  }

  /** True when `seq` has a pinned result (or error) waiting for dependents. */
  isPinned(seq: number): boolean {
    return this.#pinned.has(seq);
  }

  /**
   * Keeps the result of `seq` (a value, or the handler's promise, measured when it settles)
   * for its `remaining` dependents; past `maxHeldBytes`, an error they will get instead.
   */
  pin(seq: number, result: unknown, remaining: number): void {
    const entry: Pinned = { result, remaining, bytes: 0 };
    this.#pinned.set(seq, entry);
    const measure = (value: unknown) => {
      if (this.#pinned.get(seq) !== entry) return; // every dependent took it already
      const bytes = retainedBytes(value);
      if (this.pinnedBytes > 0 && this.pinnedBytes + bytes > this.limits.maxHeldBytes) {
        entry.result = rejected(
          new TooManyRequestsError(
            `pipelined results of about ${this.pinnedBytes} bytes are kept for you already (maxHeldBytes); ` +
              "this one was not: await results before building on more, or raise config.maxHeldBytes",
          ),
        );
      } else this.pinnedBytes += entry.bytes = bytes;
    };
    if (result instanceof Promise) {
      result.catch(() => undefined);
      result.then(measure, () => undefined);
    } else measure(result);
  }

  /** Keeps `error` for the dependents of a request that did not run. */
  pinError(seq: number, error: unknown, remaining: number): void {
    this.#pinned.set(seq, { result: rejected(error), remaining, bytes: 0 });
  }

  /** One use of the pipelined result of the peer's request `seq` (a value, or a `Promise`). */
  usePinned(seq: number): unknown {
    const entry = this.#pinned.get(seq);
    if (entry === undefined) {
      throw new UnknownRefError(
        `no pipelined result for request ${seq} (it was not pinned, or every pin was used)`,
      );
    }
    if (--entry.remaining <= 0) {
      this.#pinned.delete(seq);
      this.pinnedBytes -= entry.bytes;
    }
    return entry.result;
  }

  /** The connection closed: nothing is kept any more. */
  clear(): void {
    this.#pinned.clear();
    this.#held.clear();
    this.heldBytes = this.pinnedBytes = 0;
  }
}

function rejected(err: unknown): Promise<never> {
  const promise = Promise.reject(err);
  promise.catch(() => undefined);
  return promise;
}
