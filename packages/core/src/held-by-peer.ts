/**
 * The results the peer holds for this side's requests (it answered `Held`; docs/netrefs.md):
 * their seqs, which stay reserved — no new request may reuse one — until a `Take` of it or a
 * `Forget` naming it has been sent, and the `Forget`s waiting for the next flush.
 *
 * A held result nobody takes is forgotten when the record of its call is garbage-collected
 * (a `FinalizationRegistry`; in V8 that is after a full collection, see docs/netrefs.md).
 */
import type { CallRecord } from "./outgoing-call.ts";

export class HeldByPeer {
  readonly #seqs = new Set<number>();
  #forgets: number[] = [];
  readonly #registry = new FinalizationRegistry<number>((seq) => this.forget(seq));

  constructor(
    /** Called when a Forget is queued: the owner schedules a flush. */
    private readonly onForget: () => void,
    /** True once the connection is closed (nothing is queued then). */
    private readonly closed: () => boolean,
  ) {}

  /** Held results not yet taken or forgotten. */
  get size(): number {
    return this.#seqs.size;
  }

  /** True while `seq` is reserved. */
  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /** The peer answered `Held` for `seq`. */
  add(seq: number): void {
    this.#seqs.add(seq);
  }

  /** Forget `seq` once `record` (its call, not taken) is collected. */
  watch(record: CallRecord, seq: number): void {
    this.#registry.register(record, seq, record);
  }

  /** `record` is being taken: no Forget for it. */
  unwatch(record: CallRecord): void {
    this.#registry.unregister(record);
  }

  /** A Take of `seq` is on its way: the peer no longer holds it, the seq is reusable. */
  taken(seq: number): void {
    this.#seqs.delete(seq);
  }

  /** Queues a Forget of `seq` for the next flush. */
  forget(seq: number): void {
    if (this.closed() || !this.#seqs.has(seq)) return;
    this.#forgets.push(seq);
    this.onForget();
  }

  /** The seqs to name in a Forget now, if any; they become reusable once it is sent. */
  takeForgets(): number[] | undefined {
    if (this.#forgets.length === 0) return undefined;
    const seqs = this.#forgets;
    this.#forgets = [];
    for (const seq of seqs) this.#seqs.delete(seq);
    return seqs;
  }

  /** The connection closed: nothing is held any more. */
  clear(): void {
    this.#seqs.clear();
    this.#forgets = [];
  }
}
