/**
 * The timers pages start, one set per connection: the service clears them all when its
 * connection closes, so a page that goes away stops its timers. `TimerRegistry` counts the live
 * ones across every connection (for the tests and for `pnpm demo`'s log).
 */

/** Every live page timer of a server. */
export class TimerRegistry {
  #live = 0;
  /** How many page timers are running now, across all connections. */
  get live(): number {
    return this.#live;
  }
  /** @internal for PageTimers */
  adjust(delta: number): void {
    this.#live += delta;
  }
}

/** A stop handle of one timer. */
export type TimerHandle = ReturnType<typeof setInterval>;

/**
 * The timers of one connection's pages.
 *
 * @example
 * const handle = timers.every(1000, () => label.set_text(new Date().toString()));
 * timers.stop(handle);
 */
export class PageTimers {
  readonly #registry: TimerRegistry;
  readonly #handles = new Set<TimerHandle>();

  constructor(registry: TimerRegistry) {
    this.#registry = registry;
  }

  /** Runs `tick` every `ms` until stopped (or until `stopAll`). */
  every(ms: number, tick: () => void): TimerHandle {
    const handle = setInterval(tick, ms);
    this.#handles.add(handle);
    this.#registry.adjust(+1);
    return handle;
  }

  stop(handle: TimerHandle): void {
    if (!this.#handles.delete(handle)) return;
    clearInterval(handle);
    this.#registry.adjust(-1);
  }

  stopAll(): void {
    for (const handle of [...this.#handles]) this.stop(handle);
  }
}
