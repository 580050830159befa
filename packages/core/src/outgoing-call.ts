/**
 * One request this side sent (or is about to send) and its fate: reply, error, timeout, abort or
 * close. Implements netref's `OutgoingCall`, including pipelining pins.
 *
 * Lifetime: created queued; `sent` at the next flush (end of the microtask); settled exactly
 * once. While unsettled it references `keepAlive` (its target proxy), so a pending call pins its
 * target against the FinalizationRegistry.
 *
 * Hot path: the Promise is made only when someone asks for it (`await`, pipelining fallback).
 * A fire-and-forget call allocates no promise, and its failure can never become an unhandled
 * rejection.
 *
 * Held results: a call whose result nobody had asked for when it left (it only pipelined) may be
 * answered `Held`: the peer keeps the result. The record is then settled as "held"; asking for
 * its promise afterwards fetches the result with one more request (`take`).
 */
import type { OutgoingCall } from "@rpyc/netref";
import { type Op, RefKind, WireRef } from "@rpyc/protocol";

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const HELD = 3;

export class CallRecord implements OutgoingCall {
  /** Requests that will name this call's result (`Request.pin`), fixed when sent. */
  pins = 0;
  sent = false;
  /** This call's entry in the `TimeoutQueue`, cut loose when the call settles. */
  ticket: { record: CallRecord | undefined; readonly deadline: number } | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  #state = PENDING;
  #outcome: unknown;
  #promise: Promise<unknown> | undefined;
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #pendingRef: WireRef | undefined;
  /** Set while held: fetches the held result (an `Op.Take` request). */
  #take: (() => Promise<unknown>) | undefined;

  constructor(
    readonly seq: number,
    readonly op: Op,
    readonly target: WireRef,
    readonly name: string | number | undefined,
    readonly args: readonly unknown[],
    public keepAlive: object | undefined,
  ) {}

  get settled(): boolean {
    return this.#state !== PENDING;
  }

  /** True once someone asked for the result (`promise`): the peer must not hold it. */
  get observed(): boolean {
    return this.#promise !== undefined;
  }

  /** True while the peer holds this call's result (answered `Held`, not taken yet). */
  get held(): boolean {
    return this.#state === HELD && this.#promise === undefined;
  }

  get promise(): Promise<unknown> {
    if (this.#promise === undefined) {
      if (this.#state === HELD) {
        const take = this.#take!;
        this.#take = undefined;
        this.#promise = take();
      } else if (this.#state === FULFILLED) this.#promise = Promise.resolve(this.#outcome);
      else if (this.#state === REJECTED) this.#promise = Promise.reject(this.#outcome);
      else {
        this.#promise = new Promise((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }

  pin(): WireRef | undefined {
    if (this.sent || this.#state !== PENDING) return undefined;
    this.pins++;
    return (this.#pendingRef ??= new WireRef(RefKind.Pending, this.seq));
  }

  canPin(): boolean {
    return !this.sent && this.#state === PENDING;
  }

  resolve(value: unknown): void {
    if (this.#finish(FULFILLED, value)) this.#resolve?.(value);
  }

  reject(error: unknown): void {
    if (this.#finish(REJECTED, error)) this.#reject?.(error);
  }

  /**
   * The peer holds the result; `take` fetches it once someone asks. If someone already asked
   * (the promise exists), it is fetched now and settles that promise.
   */
  hold(take: () => Promise<unknown>): void {
    if (!this.#finish(HELD, undefined)) return;
    if (this.#promise === undefined) {
      this.#take = take;
      return;
    }
    const resolve = this.#resolve!;
    const reject = this.#reject!;
    take().then(resolve, reject);
  }

  #finish(state: number, outcome: unknown): boolean {
    if (this.#state !== PENDING) return false;
    this.#state = state;
    this.#outcome = outcome;
    if (this.onAbort !== undefined) this.signal?.removeEventListener("abort", this.onAbort);
    this.onAbort = undefined;
    this.signal = undefined;
    this.keepAlive = undefined;
    if (this.ticket !== undefined) this.ticket.record = undefined;
    this.ticket = undefined;
    return true;
  }
}
