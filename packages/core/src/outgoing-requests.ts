/**
 * This side's requests to the peer: sequence ids, the flush queue (requests, then cancels, then
 * one batched Release), timeouts, aborts, and settling them from replies, errors and pongs.
 *
 * Ordering contract: requests made in one synchronous stretch leave together, in order, one
 * microtask after the first, or two when a lazy member of a remote promise was made meanwhile
 * (see `#scheduleFlush`); then that tick's cancels, then its Releases, then its Forgets, each
 * batch split into as few messages as fit the peer's announced limits (a peer with
 * `maxArrayLength` 1000 gets 1,800 releases as two Releases). A request that is aborted or
 * times out before the flush never leaves. A failed send of those is reported (`onSendError`).
 *
 * Held results (see docs/netrefs.md, and held-by-peer.ts): a pinned request whose result
 * nobody asked for when it leaves carries `hold: 1`; the peer may answer `Held` and keep the
 * result until we take it (`Op.Take`) or forget it.
 */
import type { CallOptions, RefSession } from "@rpyc/netref";
import {
  type Limits,
  type Message,
  MessageKind,
  Op,
  RefKind,
  type RequestMessage,
  WireRef,
  forgetBatchSize,
  releaseBatchSize,
} from "@rpyc/protocol";
import type { ConnectionConfig } from "./config.ts";
import { AbortError, DisconnectedError, TimeoutError } from "./errors.ts";
import { CallTable } from "./call-table.ts";
import { HeldByPeer } from "./held-by-peer.ts";
import { CallRecord } from "./outgoing-call.ts";
import { TimeoutQueue } from "./timeout-queue.ts";

/** What the outgoing side needs from its connection. */
export interface OutgoingHost {
  readonly session: RefSession;
  readonly config: ConnectionConfig;
  /** Encodes and sends; returns the error instead of throwing when the message cannot go. */
  send(message: Message): Error | undefined;
  /** Everything of one flush was sent: the transport may write it now. */
  flushTransport(): void;
  /** What one message may hold: this side's and the peer's limits (batches are split to fit). */
  sendLimits(): Limits;
  /** A message no call waits for could not be sent: never dropped silently. */
  onSendError(error: Error): void;
  /** Undefined while open; the error calls fail with once closed. */
  closedError(): Error | undefined;
  /**
   * Undefined while the connection is up; while a reconnecting one is down, how many calls
   * may wait in the queue (nothing is sent until `resumeSending`).
   */
  detachedQueueLimit(): number | undefined;
}

const SEQ_LIMIT = 0x7fff_ffff;
// Microtasks through a resolved promise: Node's queueMicrotask allocates an AsyncResource per call.
const RESOLVED = Promise.resolve();

export class OutgoingRequests {
  readonly #calls = new CallTable();
  readonly #pings = new Map<number, CallRecord>();
  #queue: CallRecord[] = [];
  #cancels: number[] = [];
  #releases = new Map<number, number>();
  readonly #held = new HeldByPeer(
    () => this.#scheduleFlush(),
    () => this.host.closedError() !== undefined,
  );
  #flushScheduled = false;
  /** A lazy member of a remote promise was made: the next flush waits one more microtask. */
  #deferFlush = false;
  #nextSeq = 1;
  readonly #timeouts = new TimeoutQueue((record, ms) => this.#timedOut(record, ms));

  constructor(private readonly host: OutgoingHost) {}

  /** Calls in flight (sent or queued), pings excluded. */
  get size(): number {
    return this.#calls.size;
  }

  /** Results the peer holds for us (answered `Held`, not yet taken or forgotten). */
  get heldByPeer(): number {
    return this.#held.size;
  }

  /** Queues one request (see `NetrefHost.request`). */
  request(
    op: Op,
    target: WireRef,
    name: string | number | undefined,
    args: readonly unknown[],
    options: CallOptions | undefined,
    keepAlive: object,
  ): CallRecord {
    const record = new CallRecord(this.#allocSeq(), op, target, name, args, keepAlive);
    const closed = this.host.closedError();
    if (closed !== undefined) {
      record.reject(closed);
      return record;
    }
    const queueLimit = this.host.detachedQueueLimit();
    if (queueLimit !== undefined && this.#queue.length >= queueLimit) {
      record.reject(
        new DisconnectedError(
          `the connection is down (reconnecting) and ${queueLimit} calls already wait (reconnect.maxQueuedCalls)`,
        ),
      );
      return record;
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      record.reject(
        new AbortError("the call was aborted before it was sent", { cause: signal.reason }),
      );
      return record;
    }
    this.#calls.add(record);
    this.#queue.push(record);
    this.#scheduleFlush();
    this.#armTimer(record, options?.timeout);
    if (signal !== undefined) {
      record.signal = signal;
      record.onAbort = () => {
        this.#cancel(record);
        this.#giveUp(record, new AbortError("the call was aborted", { cause: signal.reason }));
      };
      signal.addEventListener("abort", record.onAbort, { once: true });
    }
    return record;
  }

  /** See `NetrefHost.expectPipelined`. */
  expectPipelined(): void {
    this.#deferFlush = true;
  }

  /** Adds releases of the peer's export `id` to this tick's batched Release. */
  scheduleRelease(id: number, count: number): void {
    if (this.host.closedError() !== undefined) return;
    this.#releases.set(id, (this.#releases.get(id) ?? 0) + count);
    this.#scheduleFlush();
  }

  /** Sends a Ping (timed like a call); resolves when its Pong arrives. */
  ping(payload: Uint8Array | undefined): Promise<unknown> {
    const closed = this.host.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const seq = this.#allocSeq();
    const record = new CallRecord(
      seq,
      0 as Op,
      new WireRef(RefKind.Yours, 0),
      undefined,
      [],
      undefined,
    );
    this.#pings.set(seq, record);
    this.#armTimer(record, undefined);
    const error = this.host.send({
      kind: MessageKind.Ping,
      seq,
      ...(payload === undefined ? {} : { payload }),
    });
    if (error !== undefined) {
      this.#pings.delete(seq);
      record.reject(error);
    }
    return record.promise;
  }

  /** A Reply arrived. A reply nobody waits for (late, unknown) gives back what it carries. */
  onReply(seq: number, value: unknown): void {
    const record = this.#calls.get(seq);
    if (record === undefined) return this.host.session.discard(value);
    this.#calls.delete(seq);
    let unboxed: unknown;
    try {
      unboxed = this.host.session.unbox(value);
    } catch (err) {
      return record.reject(err);
    }
    record.resolve(unboxed);
  }

  /** An Error arrived for request `seq` (dropped when nobody waits for it). */
  onError(seq: number, error: Error): void {
    const record = this.#calls.get(seq);
    if (record === undefined) return;
    this.#calls.delete(seq);
    record.reject(error);
  }

  /** The peer holds the result of request `seq` (it answered `Held`). */
  onHeld(seq: number): void {
    this.#held.add(seq);
    const record = this.#calls.get(seq);
    if (record === undefined) return this.#held.forget(seq); // cancelled or timed out meanwhile
    this.#calls.delete(seq);
    record.hold(() => this.#take(record));
    if (record.held) this.#held.watch(record, seq);
  }

  /** Fetches the held result of `record` (someone asked for it after all). */
  #take(record: CallRecord): Promise<unknown> {
    this.#held.unwatch(record);
    const take = this.request(
      Op.Take,
      new WireRef(RefKind.Pending, record.seq),
      undefined,
      [],
      undefined,
      record,
    );
    return take.promise;
  }

  onPong(seq: number): void {
    const record = this.#pings.get(seq);
    this.#pings.delete(seq);
    record?.resolve(undefined);
  }

  /** The connection is up again (a reconnect): what waited in the queue leaves now. */
  resumeSending(): void {
    this.#scheduleFlush();
  }

  /** The connection closed: every queued, pending and ping call rejects; no timer remains. */
  rejectAll(error: Error): void {
    for (const record of this.#queue) record.reject(error);
    this.#queue = [];
    const calls = this.#calls.values();
    this.#calls.clear();
    for (const record of calls) record.reject(error);
    for (const record of this.#pings.values()) record.reject(error);
    this.#pings.clear();
    this.#timeouts.clear();
    this.#cancels = [];
    this.#releases = new Map();
    this.#held.clear();
  }

  #allocSeq(): number {
    let seq = this.#nextSeq;
    while (!this.#calls.isFree(seq) || this.#pings.has(seq) || this.#held.has(seq))
      seq = seq >= SEQ_LIMIT ? 1 : seq + 1;
    this.#nextSeq = seq >= SEQ_LIMIT ? 1 : seq + 1;
    return seq;
  }

  #armTimer(record: CallRecord, timeout: number | undefined): void {
    const ms = timeout ?? this.host.config.timeout;
    if (ms > 0 && ms !== Number.POSITIVE_INFINITY) this.#timeouts.add(record, ms);
  }

  #timedOut(record: CallRecord, ms: number): void {
    let what: string;
    if (this.#pings.get(record.seq) === record) {
      this.#pings.delete(record.seq);
      what = "ping";
    } else {
      this.#cancel(record);
      what =
        typeof record.name === "string" ? `call to '${record.name}'` : "call to the remote object";
    }
    this.#giveUp(
      record,
      new TimeoutError(
        `${what} timed out after ${ms} ms (raise config.timeout, or pass withOptions(ref, { timeout }))`,
      ),
    );
  }

  /**
   * `record` fails locally with `error` (a timeout or an abort), and so do the calls pipelined
   * on its result (`Pending` targets): they could only fail with the peer's answer to the
   * cancel, a moment later; the cause the caller sees is this one. Rare path: a scan is fine.
   */
  #giveUp(record: CallRecord, error: Error): void {
    record.reject(error);
    if (record.pins === 0) return;
    for (const other of this.#calls.values()) {
      const target = other.target;
      if (target.kind !== RefKind.Pending || target.id !== record.seq || other.seq === record.seq)
        continue;
      this.#cancel(other);
      this.#giveUp(other, error);
    }
  }

  /** Stops waiting for `record`: its late reply will be dropped; the peer's handler is told. */
  #cancel(record: CallRecord): void {
    if (this.#calls.get(record.seq) !== record) return;
    this.#calls.delete(record.seq);
    if (record.sent) {
      this.#cancels.push(record.seq);
      this.#scheduleFlush();
    }
  }

  /**
   * The flush runs one microtask after the first request of a stretch, or two when a lazy
   * member of a remote promise was made (`expectPipelined`): `await x` and `Promise.resolve(x)`
   * call a thenable's `then` one microtask later, and that `then` is what sends the final lazy
   * property read of a chain (`await ref.a().b`). Waiting one more hop then lets it join the
   * same flush, so the whole chain is one round trip; without such a member (`await
   * ref.m(1)`, `await ref.x`) nothing can join, and the request leaves a hop earlier.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    void RESOLVED.then(this.#firstHop);
  }

  readonly #firstHop = (): void => {
    if (!this.#deferFlush) return this.#flush();
    this.#deferFlush = false;
    void RESOLVED.then(this.#flush);
  };

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#deferFlush = false;
    if (this.host.closedError() !== undefined) return;
    if (this.host.detachedQueueLimit() !== undefined) return; // down: `resumeSending` flushes
    const queue = this.#queue;
    this.#queue = [];
    for (const record of queue) {
      if (record.settled) continue; // aborted or timed out before it left
      record.sent = true;
      // Absent optional fields are left undefined (the codec omits them): no spread copies.
      const message: RequestMessage = {
        kind: MessageKind.Request,
        seq: record.seq,
        op: record.op,
        target: record.target,
        name: record.name,
        args: record.args.length === 0 ? undefined : record.args,
        pin: record.pins === 0 ? undefined : record.pins,
        // Only pipelined through so far: the peer may keep the result (answer `Held`).
        hold: record.pins === 0 || record.observed ? undefined : 1,
      };
      // Once this Take is on its way, the peer no longer holds `target.id`: reusable.
      if (record.op === Op.Take) this.#held.taken(record.target.id);
      const error = this.host.send(message);
      if (error !== undefined) {
        this.#calls.delete(record.seq);
        record.reject(error);
      }
    }
    if (this.#cancels.length > 0) {
      const cancels = this.#cancels;
      this.#cancels = [];
      for (const seq of cancels) this.#sendControl({ kind: MessageKind.Cancel, seq });
    }
    if (this.#releases.size > 0) {
      const ids = [...this.#releases.keys()];
      const counts = [...this.#releases.values()];
      this.#releases = new Map();
      const size = releaseBatchSize(this.host.sendLimits());
      for (let at = 0; at < ids.length; at += size) {
        const end = at + size;
        this.#sendControl({
          kind: MessageKind.Release,
          ids: ids.slice(at, end),
          counts: counts.slice(at, end),
        });
      }
    }
    const seqs = this.#held.takeForgets();
    const size = forgetBatchSize(this.host.sendLimits());
    for (let at = 0; seqs !== undefined && at < seqs.length; at += size)
      this.#sendControl({ kind: MessageKind.Forget, seqs: seqs.slice(at, at + size) });
    this.host.flushTransport();
  };

  /** Sends a message no call waits for (Cancel, Release, Forget): a failure is reported. */
  #sendControl(message: Message): void {
    const error = this.host.send(message);
    if (error !== undefined) this.host.onSendError(error);
  }
}
