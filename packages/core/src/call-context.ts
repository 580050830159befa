/**
 * `currentCall()`: what a service handler knows about the request it is serving — its
 * AbortSignal (fires when the caller cancels or times out) and its connection.
 *
 * Contract: valid synchronously at the start of the handler, before its first `await` (there is
 * no AsyncLocalStorage in browsers, so the context is a variable set around the synchronous
 * part of the call). Read it into a local first:
 * `const { signal, connection } = currentCall();`.
 */
import type { Connection } from "./connection.ts";
import { NoCurrentCallError } from "./errors.ts";

/**
 * The context of one incoming request.
 *
 * @example
 * const { signal, connection }: CallContext = currentCall();
 */
export interface CallContext {
  /** Aborted when the caller cancels the call (timeout or its own AbortSignal). */
  readonly signal: AbortSignal;
  /** The connection the request came on. */
  readonly connection: Connection;
}

let current: CallContext | undefined;

/**
 * The context of the request being served. Call it synchronously at the start of a handler.
 *
 * @example
 * class Jobs extends Service {
 *   async run(n: number) {
 *     const { signal } = currentCall();
 *     for (let i = 0; i < n && !signal.aborted; i++) await step(i);
 *   }
 * }
 */
export function currentCall(): CallContext {
  if (current === undefined) throw new NoCurrentCallError();
  return current;
}

/**
 * Makes `context` the current call and returns the previous one, to hand back to `exitCall`
 * in a `finally` (internal, used by the connection; no closure per request).
 */
export function enterCall(context: CallContext): CallContext | undefined {
  const previous = current;
  current = context;
  return previous;
}

/** Restores the call context `enterCall` returned. */
export function exitCall(previous: CallContext | undefined): void {
  current = previous;
}
