/**
 * The canonical rpyc-ts service, after RPyC's demos/time/time_service.py: the time, in words and
 * as a number, plus a subscription that calls the client back on every tick (the callback is a
 * plain function the client passes by reference).
 */
import { isNetref, release, Service } from "@rpyc/core";
import { TimeError } from "./errors.ts";
import { formatCtime } from "./format-ctime.ts";

/** Bounds on what one client may ask of the time service. */
export interface TimeLimits {
  /** Shortest tick interval a client may ask for, in ms. */
  minIntervalMs: number;
  /** Longest tick interval, in ms (setTimeout's own limit is about 24.8 days). */
  maxIntervalMs: number;
  /** Live subscriptions per connection (per service instance). */
  maxSubscriptions: number;
}

/**
 * The limits a `TimeService` uses unless told otherwise.
 *
 * @example
 * new TimeService({ limits: { ...DEFAULT_TIME_LIMITS, maxSubscriptions: 2 } });
 */
export const DEFAULT_TIME_LIMITS: Readonly<TimeLimits> = Object.freeze({
  minIntervalMs: 10,
  maxIntervalMs: 24 * 60 * 60 * 1000,
  maxSubscriptions: 16,
});

/** What `onTick` receives: plain data, so it crosses the wire by value. */
export interface Tick {
  /** 1 for the first tick of a subscription, then 2, 3, … */
  seq: number;
  /** The server's local time, as `getTime()` words it. */
  time: string;
  /** Milliseconds since the Unix epoch, as `getUtc()` returns it. */
  utc: number;
}

/** A tick callback: local in tests, a netref to the client's function over a connection. */
export type TickCallback = (tick: Tick) => unknown;

export interface TimeServiceOptions {
  /** The clock, in ms since the epoch (tests inject one). Default `Date.now`. */
  now?: () => number;
  limits?: Partial<TimeLimits>;
}

/**
 * A live subscription, handed to the client by reference: the client calls `cancel()` on it.
 *
 * Ticks never overlap: the next one is scheduled only after the client's callback has returned,
 * so a slow client gets fewer ticks instead of a growing backlog. A callback that throws (or a
 * client that went away) ends the subscription.
 *
 * @example
 * const sub = await conn.root.subscribe(1000, (t: Tick) => console.log(t.time));
 * await sub.cancel();
 */
export class Subscription {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #onEnd: (sub: Subscription) => void;
  #onTick: TickCallback | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  constructor(
    intervalMs: number,
    onTick: TickCallback,
    now: () => number,
    onEnd: (sub: Subscription) => void,
  ) {
    this.#intervalMs = intervalMs;
    this.#onTick = onTick;
    this.#now = now;
    this.#onEnd = onEnd;
    this.#schedule();
  }

  /** Stops the ticks. Idempotent; returns how many ticks were delivered. */
  cancel(): number {
    if (this.#onTick) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      const onTick = this.#onTick;
      this.#onTick = undefined;
      // The server holds the client's function by reference: hand it back so the client's
      // export table returns to baseline (a pending tick call keeps it pinned until it answers).
      releaseQuietly(onTick);
      this.#onEnd(this);
    }
    return this.#seq;
  }

  /** True until `cancel()` (or a failed callback) ended the subscription. */
  isActive(): boolean {
    return this.#onTick !== undefined;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#tick(), this.#intervalMs);
  }

  async #tick(): Promise<void> {
    const onTick = this.#onTick;
    if (!onTick) return;
    const utc = this.#now();
    const tick: Tick = { seq: ++this.#seq, time: formatCtime(new Date(utc)), utc };
    try {
      await onTick(tick);
    } catch {
      // The client's callback failed or the client is gone: nobody is listening any more.
      this.cancel();
      return;
    }
    if (this.#onTick) this.#schedule();
  }
}

/**
 * The time service. Served as a class, so every connection gets its own instance and its own
 * subscriptions, which end when the connection does.
 *
 * @example
 * const server = await serve(TimeService, { port: 18861 });
 * const conn = await connect("127.0.0.1", server.port);
 * console.log(await conn.root.getTime()); // "Wed Nov 25 22:17:03 2026"
 */
export class TimeService extends Service {
  readonly #now: () => number;
  readonly #limits: TimeLimits;
  readonly #subscriptions = new Set<Subscription>();

  constructor(options: TimeServiceOptions = {}) {
    super();
    this.#now = options.now ?? Date.now;
    this.#limits = { ...DEFAULT_TIME_LIMITS, ...options.limits };
  }

  /** The server's local time in words, like Python's `time.ctime()`: "Wed Nov 25 22:17:03 2026". */
  getTime(): string {
    return formatCtime(new Date(this.#now()));
  }

  /** Milliseconds since the Unix epoch (RPyC's `get_utc` returns seconds; JS counts in ms). */
  getUtc(): number {
    return this.#now();
  }

  /**
   * Calls `onTick` every `intervalMs` until the returned subscription is cancelled or the
   * connection closes. Throws `TimeError` for an interval out of range, a non-function callback,
   * or too many live subscriptions.
   */
  subscribe(intervalMs: number, onTick: TickCallback): Subscription {
    try {
      this.#check(intervalMs, onTick);
    } catch (err) {
      // A refused callback is handed back at once, so the client's tables do not keep it.
      releaseQuietly(onTick);
      throw err;
    }
    const sub = new Subscription(intervalMs, onTick, this.#now, (s) =>
      this.#subscriptions.delete(s),
    );
    this.#subscriptions.add(sub);
    return sub;
  }

  #check(intervalMs: number, onTick: TickCallback): void {
    const { minIntervalMs, maxIntervalMs, maxSubscriptions } = this.#limits;
    if (
      typeof intervalMs !== "number" ||
      !Number.isFinite(intervalMs) ||
      intervalMs < minIntervalMs ||
      intervalMs > maxIntervalMs
    ) {
      throw new TimeError(
        "RPYC_ERR_TIME_BAD_INTERVAL",
        `intervalMs must be a number from ${minIntervalMs} to ${maxIntervalMs}, got ${String(intervalMs)}`,
      );
    }
    if (typeof onTick !== "function") {
      throw new TimeError(
        "RPYC_ERR_TIME_BAD_CALLBACK",
        `onTick must be a function, got ${typeof onTick}`,
      );
    }
    if (this.#subscriptions.size >= maxSubscriptions) {
      throw new TimeError(
        "RPYC_ERR_TIME_TOO_MANY_SUBSCRIPTIONS",
        `this connection already has ${maxSubscriptions} live subscriptions: cancel one first`,
      );
    }
  }

  /** Live subscriptions of this instance (for tests and monitoring; not part of the RPC API). */
  _subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  /** The connection is gone: stop every timer it started. */
  override onDisconnect(): void {
    for (const sub of [...this.#subscriptions]) sub.cancel();
  }
}

/**
 * Hands a remote callback back to its owner (no-op for a local function). Never throws: on a
 * connection that is already closed there is nothing left to release.
 */
function releaseQuietly(callback: unknown): void {
  try {
    if (isNetref(callback)) release(callback);
  } catch {
    // the connection is gone, and its tables with it
  }
}
