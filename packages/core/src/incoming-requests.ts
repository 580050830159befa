/**
 * The peer's requests this side is serving: running them under the access policy with their
 * call context, bounding how many run at once, cancelling them, and keeping pipelined results
 * (`Request.pin`) until every dependent request has used them.
 *
 * Held results: a successful request with `hold: 1` whose result is an object or function is
 * answered `Held` instead of `Reply` while fewer than `config.maxHeldResults` and
 * `config.maxHeldBytes` are held; the result stays here until the peer takes it (`Op.Take` on
 * a `Pending` ref to the seq) or forgets it (`Forget`). Pinned results have a byte budget too
 * (kept-results.ts).
 *
 * Contract: every request gets exactly one answer (a Reply, Held or Error) unless it was cancelled
 * (the Cancel itself is answered with an AbortError) or the connection closed. A request that
 * cannot run still pins its error for its dependents, so they fail with the same error instead
 * of "unknown ref".
 */
import { type RefSession, performLocal } from "@rpyc/netref";
import { Op, ProtocolError, RefKind, type RequestMessage, type WireRef } from "@rpyc/protocol";
import { enterCall, exitCall } from "./call-context.ts";
import type { ConnectionConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import { AbortError, TooManyRequestsError, UnknownRefError } from "./errors.ts";
import { IncomingCall } from "./incoming-call.ts";
import { KeptResults } from "./kept-results.ts";

/** What the requests need from their connection. */
export interface IncomingHost {
  readonly connection: Connection;
  readonly session: RefSession;
  readonly config: ConnectionConfig;
  reply(seq: number, value: unknown): void;
  /** Answers `Held`: the result of `seq` stays here. */
  sendHeld(seq: number): void;
  /** No request of the peer is running any more (`size` went to 0). */
  onIdle(): void;
  /** The answers sent so far may be written now (see `Transport.flush`). */
  flushTransport(): void;
  sendError(seq: number, error: unknown): void;
}

export class IncomingRequests {
  readonly #running = new Map<number, IncomingCall>();
  /** Pinned and held results kept for the peer, by request seq. */
  readonly #kept: KeptResults;

  constructor(private readonly host: IncomingHost) {
    this.#kept = new KeptResults(host.config);
  }

  /** Requests running now (their handlers have not settled). */
  get size(): number {
    return this.#running.size;
  }

  /** Results kept for the peer (`Held`, not yet taken or forgotten). */
  get heldForPeer(): number {
    return this.#kept.heldCount;
  }

  /** The peer will never take these results. Unknown seqs are ignored (already taken). */
  forget(seqs: readonly number[]): void {
    this.#kept.forget(seqs);
  }

  /** Runs one request; answers it when its handler settles. */
  handle(message: RequestMessage): void {
    const seq = message.seq;
    const pin = message.pin ?? 0;
    if (this.#running.has(seq)) {
      return this.#refuse(
        message,
        new ProtocolError(
          "RPYC_ERR_MALFORMED",
          `request ${seq} is already running (duplicate sequence id)`,
        ),
      );
    }
    if (this.#running.size >= this.host.config.maxPendingRequests) {
      return this.#refuse(
        message,
        new TooManyRequestsError(
          `the peer already runs ${this.#running.size} of your requests (maxPendingRequests); retry later`,
        ),
      );
    }
    if (pin > 0 && this.#kept.pinnedCount >= this.host.config.maxPendingRequests) {
      // Pipelined results wait for dependents the peer promised; a peer that never sends them
      // must not make us hold results without bound.
      return this.host.sendError(
        seq,
        new TooManyRequestsError(
          `the peer holds ${this.#kept.pinnedCount} pipelined results unused (maxPendingRequests); await results before building on many more`,
        ),
      );
    }
    let target: unknown;
    let args: unknown[] | Promise<unknown[]>;
    try {
      target =
        message.op === Op.Take
          ? this.#takeHeld(message.target)
          : this.#resolveTarget(message.target);
      args =
        message.args === undefined
          ? []
          : this.host.session.unboxArgs(message.args, (p) => this.#takePinned(p));
    } catch (err) {
      return this.#refuse(message, err);
    }
    const call = new IncomingCall(this.host.connection);
    let result: unknown;
    if (target instanceof Promise || args instanceof Promise) {
      result = Promise.all([target, args]).then(([t, a]) => this.#invoke(call, message, t, a));
    } else {
      try {
        result = this.#invoke(call, message, target, args);
      } catch (err) {
        return this.#refuse(message, err);
      }
    }
    if (!isThenable(result)) {
      // The hot path: a synchronous handler is answered at once, with no promise.
      if (pin > 0) this.#kept.pin(seq, result, pin);
      return this.#answer(message, result);
    }
    const settled = Promise.resolve(result);
    if (pin > 0) this.#kept.pin(seq, settled, pin);
    this.#running.set(seq, call);
    settled.then(
      (value) => {
        if (this.#running.get(seq) !== call) return; // cancelled, or connection closed
        this.#running.delete(seq);
        this.#answer(message, value);
        this.#answeredAsync();
      },
      (err: unknown) => {
        if (this.#running.get(seq) !== call) return;
        this.#running.delete(seq);
        this.host.sendError(seq, err);
        this.#answeredAsync();
      },
    );
  }

  /**
   * An asynchronous handler was answered. When it was the last one running, nothing else can
   * join its write: the transport writes now instead of a microtask later. (With more still
   * running, the answers of one tick keep going out together.)
   */
  #answeredAsync(): void {
    if (this.#running.size > 0) return;
    this.host.flushTransport();
    this.host.onIdle();
  }

  /** `seq` stopped running; tells the host when nothing runs any more. */
  #finished(seq: number): void {
    this.#running.delete(seq);
    if (this.#running.size === 0) this.host.onIdle();
  }

  /** Replies with `result`, or keeps it and answers `Held` when the peer asked and it may. */
  #answer(message: RequestMessage, result: unknown): void {
    if (
      message.hold === 1 &&
      result !== null &&
      (typeof result === "object" || typeof result === "function") &&
      this.#kept.hold(message.seq, result)
    ) {
      return this.host.sendHeld(message.seq);
    }
    this.host.reply(message.seq, result);
  }

  /** The caller gave up on `seq`: abort its handler's signal and answer with an AbortError. */
  cancel(seq: number): void {
    const call = this.#running.get(seq);
    if (call === undefined) return; // already answered: nothing to stop
    this.#finished(seq);
    const error = new AbortError("the caller cancelled the call (timeout or abort)");
    call.abort(error);
    this.host.sendError(seq, error);
  }

  /** The connection closed: every running handler's signal aborts; pinned results go. */
  abortAll(error: Error): void {
    for (const call of this.#running.values()) call.abort(error);
    this.#running.clear();
    this.host.onIdle();
    this.#kept.clear();
  }

  /** Runs the operation with `call` as the current call context. */
  #invoke(call: IncomingCall, message: RequestMessage, target: unknown, args: unknown[]): unknown {
    const previous = enterCall(call);
    try {
      return performLocal(message.op, target, message.name, args, this.host.config);
    } finally {
      exitCall(previous);
    }
  }

  /** An error answer for a request that will not run; its pipelined dependents get it too. */
  #refuse(message: RequestMessage, err: unknown): void {
    const pin = message.pin ?? 0;
    if (pin > 0 && !this.#kept.isPinned(message.seq)) this.#kept.pinError(message.seq, err, pin);
    this.host.sendError(message.seq, err);
  }

  #resolveTarget(ref: WireRef): unknown {
    if (ref.kind === RefKind.Yours) return this.host.session.exports.get(ref.id);
    if (ref.kind === RefKind.Pending) return this.#takePinned(ref.id);
    throw new ProtocolError(
      "RPYC_ERR_MALFORMED",
      "a request's target must be one of the receiver's objects (Yours) or a pipelined result (Pending)",
    );
  }

  /** The held result a Take names; it is no longer held. */
  #takeHeld(ref: WireRef): unknown {
    if (ref.kind !== RefKind.Pending || !this.#kept.isHeld(ref.id)) {
      throw new UnknownRefError(
        `no held result for request ${ref.id} (Take needs a Pending ref to a result answered Held)`,
      );
    }
    return this.#kept.take(ref.id);
  }

  /** One use of the pipelined result of the peer's request `seq` (a value, or a `Promise`). */
  #takePinned(seq: number): unknown {
    return this.#kept.usePinned(seq);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
