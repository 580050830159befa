/**
 * The calls in flight, by sequence id: a ring of slots indexed by `seq & mask`. Sequence ids are
 * handed out in order and most calls end soon, so a Map (which rehashes as keys churn: an
 * allocation every few calls) is replaced by an array that allocates only when it grows.
 *
 * Contract with the allocator (`OutgoingRequests`): a new seq is used only when `isFree(seq)`;
 * a seq whose slot holds a long-running call is skipped. So live calls never share a slot, and
 * doubling the ring keeps them apart (ids distinct mod n stay distinct mod 2n). The ring grows
 * when half full, so a free slot is always near.
 */
import type { CallRecord } from "./outgoing-call.ts";

const INITIAL_SLOTS = 16;

export class CallTable {
  #slots: (CallRecord | undefined)[] = new Array<CallRecord | undefined>(INITIAL_SLOTS).fill(
    undefined,
  );
  #mask = INITIAL_SLOTS - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** True when a new call may take `seq` (its slot is empty). */
  isFree(seq: number): boolean {
    return this.#slots[seq & this.#mask] === undefined;
  }

  get(seq: number): CallRecord | undefined {
    const record = this.#slots[seq & this.#mask];
    return record !== undefined && record.seq === seq ? record : undefined;
  }

  /** Adds `record`; its seq must be free (`isFree`). */
  add(record: CallRecord): void {
    const slot = record.seq & this.#mask;
    if (this.#slots[slot] !== undefined) throw new Error(`seq ${record.seq} is not free`);
    this.#slots[slot] = record;
    if (++this.#size * 2 > this.#slots.length) this.#grow();
  }

  delete(seq: number): boolean {
    const slot = seq & this.#mask;
    const record = this.#slots[slot];
    if (record === undefined || record.seq !== seq) return false;
    this.#slots[slot] = undefined;
    this.#size--;
    return true;
  }

  /** The live calls (a copy: callers may delete while they go through it). */
  values(): CallRecord[] {
    const out: CallRecord[] = [];
    for (const record of this.#slots) if (record !== undefined) out.push(record);
    return out;
  }

  clear(): void {
    this.#slots = new Array<CallRecord | undefined>(INITIAL_SLOTS).fill(undefined);
    this.#mask = INITIAL_SLOTS - 1;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Array<CallRecord | undefined>(old.length * 2).fill(undefined);
    const mask = slots.length - 1;
    for (const record of old) if (record !== undefined) slots[record.seq & mask] = record;
    this.#slots = slots;
    this.#mask = mask;
  }
}
