/**
 * Call timeouts without a timer per call: one `setTimeout` for the earliest deadline, and one
 * FIFO per distinct timeout value (deadlines of equal timeouts come in order, so each FIFO is
 * sorted). Each call holds a small ticket; a call that settles cuts its ticket loose, so the
 * queue never keeps a settled call (or its result) alive. Dead tickets are skipped lazily and
 * compacted away when they dominate a FIFO. `clear()` leaves no timer behind.
 *
 * The timer is not cleared when the last call settles: a later call's deadline is later, so
 * sequential calls arm at most one timer per timeout period instead of one per call. When it
 * fires with nothing due it simply does not re-arm. It is unref'd (see `#arm`).
 */
import type { CallRecord } from "./outgoing-call.ts";

interface Ticket {
  record: CallRecord | undefined;
  readonly deadline: number;
}

interface Fifo {
  items: Ticket[];
  head: number;
}

const now = () => performance.now();

export class TimeoutQueue {
  readonly #fifos = new Map<number, Fifo>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly onTimeout: (record: CallRecord, ms: number) => void) {}

  /** Starts `record`'s clock: `onTimeout` runs after `ms` unless it settled first. */
  add(record: CallRecord, ms: number): void {
    const ticket: Ticket = { record, deadline: now() + ms };
    record.ticket = ticket;
    let fifo = this.#fifos.get(ms);
    if (fifo === undefined) this.#fifos.set(ms, (fifo = { items: [], head: 0 }));
    fifo.items.push(ticket);
    if (fifo.items.length % 4096 === 0) this.#compact(fifo);
    if (ticket.deadline < this.#armedFor) this.#arm(ticket.deadline);
  }

  #compact(fifo: Fifo): void {
    const live = fifo.items.filter((t, i) => i >= fifo.head && t.record !== undefined);
    if (live.length * 2 > fifo.items.length) return;
    fifo.items = live;
    fifo.head = 0;
  }

  #arm(deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = deadline;
    const timer = setTimeout(() => this.#fire(), Math.max(0, deadline - now()));
    // A timeout timer never keeps a Node process alive by itself (the transport does, while
    // it is open); browsers have no unref.
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const t = now();
    let next = Number.POSITIVE_INFINITY;
    for (const [ms, fifo] of this.#fifos) {
      while (fifo.head < fifo.items.length) {
        const ticket = fifo.items[fifo.head]!;
        if (ticket.record !== undefined && ticket.deadline > t) break;
        fifo.head++;
        if (ticket.record !== undefined) this.onTimeout(ticket.record, ms);
      }
      if (fifo.head >= fifo.items.length) {
        this.#fifos.delete(ms);
        continue;
      }
      if (fifo.head > 1024) {
        fifo.items = fifo.items.slice(fifo.head);
        fifo.head = 0;
      }
      next = Math.min(next, fifo.items[fifo.head]!.deadline);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }

  /** Forgets every call and cancels the timer (connection closed, or nothing in flight). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.#fifos.clear();
  }

  /** True while a timer is armed (for tests: nothing may outlive close). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }
}
