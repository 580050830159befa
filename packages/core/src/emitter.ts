/**
 * A tiny typed event emitter (no node:events, so core runs in browsers). Listeners run
 * synchronously in registration order; a throwing listener does not stop the others (its error
 * is rethrown asynchronously, where the host reports it).
 */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Function>>();

  /**
   * Adds a listener; returns a function that removes it.
   *
   * @example
   * const off = conn.on("close", (error) => console.log("closed", error));
   */
  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with `on`. */
  off<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Calls every listener of `event` (internal). */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        Reflect.apply(listener, undefined, args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
