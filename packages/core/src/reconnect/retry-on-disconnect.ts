/**
 * `retryOnDisconnect(fn)`: runs `fn` again when it failed because the connection dropped and
 * its session was lost (`SessionLostError`, `DisconnectedError`), so an application can
 * re-derive its netrefs from `conn.root` — the advice of capnweb and Cap'n Proto for
 * references that cannot survive a reconnect. Other errors are not retried.
 */
import { SessionLostError } from "@rpyc/netref";
import type { Connection } from "../connection.ts";
import { DisconnectedError } from "../errors.ts";

/**
 * Options of `retryOnDisconnect`.
 *
 * @example
 * await retryOnDisconnect(() => conn.root.counter().then((c) => c.next()), { attempts: 5, connection: conn });
 */
export interface RetryOnDisconnectOptions {
  /** Runs of `fn` in all (the first included). Default 3. */
  readonly attempts?: number;
  /**
   * Before a retry, wait until this connection is back (its `reconnect` event) instead of
   * retrying at once; a connection that closed for good stops the retries.
   */
  readonly connection?: Connection;
}

/** True for the errors a reconnect can cure. */
export function isDisconnectError(error: unknown): boolean {
  return error instanceof SessionLostError || error instanceof DisconnectedError;
}

/**
 * Runs `fn`; when it rejects with `SessionLostError` or `DisconnectedError`, runs it again, up
 * to `attempts` times in all. `fn` should start from `conn.root` each time.
 *
 * @example
 * const total = await retryOnDisconnect(async () => {
 *   const account = await conn.root.account("alice"); // re-derived on every attempt
 *   return account.balance();
 * }, { attempts: 3, connection: conn });
 */
export async function retryOnDisconnect<T>(
  fn: () => Promise<T> | T,
  options: RetryOnDisconnectOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  if (!(attempts >= 1)) throw new RangeError(`attempts must be >= 1, got ${String(attempts)}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isDisconnectError(error)) throw error;
      const conn = options.connection;
      if (conn !== undefined) {
        if (conn.closed) throw error;
        if (!conn.attached) await conn.whenAttached();
      }
    }
  }
}
