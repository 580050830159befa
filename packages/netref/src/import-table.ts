/**
 * The import table: the peer's objects I hold netrefs to, by id, with how many times the peer
 * sent each one (the count I owe back in `Release`).
 *
 * Identity: while a proxy for an id is alive, unboxing that id again returns the same proxy.
 * Lifetime: explicit `release` first; a `FinalizationRegistry` releases proxies the program
 * dropped. If a proxy was collected and the id arrives again before its finalizer ran, a new
 * proxy takes over the entry (and its count); a finalizer releases an entry only when the
 * entry's current proxy is gone, so a stale finalizer never releases what a live proxy holds.
 * Releases are handed to a scheduler that batches them (one message per tick).
 */
interface ImportEntry {
  ref: WeakRef<object>;
  count: number;
}

/**
 * Receives the releases this table decides on; the connection batches them.
 *
 * @example
 * const schedule: ReleaseScheduler = (id, count) => pending.set(id, (pending.get(id) ?? 0) + count);
 */
export type ReleaseScheduler = (id: number, count: number) => void;

/**
 * The peer's objects I hold, by id, with counts (see the file header).
 *
 * @example
 * const table = new ImportTable((id, count) => batch.add(id, count));
 * const proxy = table.import(7, () => createProxy(7));
 */
export class ImportTable {
  readonly #entries = new Map<number, ImportEntry>();
  readonly #registry: FinalizationRegistry<number>;
  #closed = false;

  constructor(readonly scheduleRelease: ReleaseScheduler) {
    this.#registry = new FinalizationRegistry((id) => this.#finalized(id));
  }

  /**
   * Counts one more receipt of `id` and returns its live proxy, or the one `create` makes.
   * `create` is called only when no live proxy exists.
   */
  import(id: number, create: () => object): object {
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      entry.count++;
      const live = entry.ref.deref();
      if (live !== undefined) return live;
      const proxy = create();
      entry.ref = new WeakRef(proxy);
      this.#registry.register(proxy, id, proxy);
      return proxy;
    }
    const proxy = create();
    this.#entries.set(id, { ref: new WeakRef(proxy), count: 1 });
    this.#registry.register(proxy, id, proxy);
    return proxy;
  }

  /**
   * Explicit release of `proxy` (the current proxy of `id`): sends back every count received
   * and forgets the entry. Returns false when the entry was already gone.
   */
  release(id: number, proxy: object): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.ref.deref() !== proxy) return false;
    this.#entries.delete(id);
    this.#registry.unregister(proxy);
    if (!this.#closed) this.scheduleRelease(id, entry.count);
    return true;
  }

  #finalized(id: number): void {
    const entry = this.#entries.get(id);
    // A newer proxy may have taken the entry over: release only when the current one is gone.
    if (entry === undefined || this.#closed || entry.ref.deref() !== undefined) return;
    this.#entries.delete(id);
    this.scheduleRelease(id, entry.count);
  }

  /** True when `id` has an entry whose proxy is `proxy`. */
  holds(id: number, proxy: object): boolean {
    return this.#entries.get(id)?.ref.deref() === proxy;
  }

  /** Number of entries (live or awaiting their finalizer). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Forgets every entry without sending releases and stays usable (the peer's session was
   * lost: it forgot these ids). Returns the live proxies, so their owner can mark them dead.
   */
  reset(): object[] {
    const live: object[] = [];
    for (const entry of this.#entries.values()) {
      const proxy = entry.ref.deref();
      if (proxy === undefined) continue;
      this.#registry.unregister(proxy);
      live.push(proxy);
    }
    this.#entries.clear();
    return live;
  }

  /** Forgets everything without sending releases (the connection is closed). */
  clear(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) {
      const proxy = entry.ref.deref();
      if (proxy !== undefined) this.#registry.unregister(proxy);
    }
    this.#entries.clear();
  }
}
