/**
 * One peer request this side is serving: the `currentCall()` context of its handler. The
 * AbortController is created only when the handler asks for its signal (most never do).
 */
import type { CallContext } from "./call-context.ts";
import type { Connection } from "./connection.ts";

export class IncomingCall implements CallContext {
  #controller: AbortController | undefined;
  #reason: Error | undefined;

  constructor(readonly connection: Connection) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** The caller cancelled, or the connection closed: the handler's signal fires. */
  abort(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
