/**
 * Graceful close of a set of connections: each one closes as soon as no call of its peer is
 * running on it any more, and every one is closed by the deadline, whatever is still running.
 */
import type { Connection } from "./connection.ts";
import { waitAtMost } from "./wait-at-most.ts";

/**
 * Closes every connection in `conns`, all at once: an idle one now, a busy one when its calls
 * are done (`conn.whenIdle()`) or at `deadline` (epoch ms), whichever comes first. Resolves when
 * all are closed (their transports too); leaves no timer. Servers (tcp, ws) use it for
 * `server.close({ timeout })`.
 *
 * @example
 * await closeGracefully([...server.connections], Date.now() + 5_000);
 */
export async function closeGracefully(
  conns: readonly Connection[],
  deadline: number,
): Promise<void> {
  await Promise.all(conns.map((conn) => closeWhenIdle(conn, deadline)));
}

async function closeWhenIdle(conn: Connection, deadline: number): Promise<void> {
  const wait = deadline - Date.now();
  if (conn.serving > 0 && wait > 0) await waitAtMost(conn.whenIdle(), wait);
  await conn.close();
}
