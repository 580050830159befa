/**
 * Graceful close of a set of connections: each one closes as soon as no call of its peer is
 * running on it any more, and every one is closed by the deadline, whatever is still running.
 */
import type { Connection } from "./connection.ts";

/** How often a closing server looks at its connections' running calls (`conn.serving`). */
const POLL_MS = 10;

/**
 * Closes every connection in `conns`: an idle one at once, a busy one when its calls are done or
 * at `deadline` (epoch ms), whichever comes first. Resolves when all are closed; leaves no timer.
 * Servers (tcp, ws) use it for `server.close({ timeout })`.
 *
 * @example
 * await closeGracefully([...server.connections], Date.now() + 5_000);
 */
export async function closeGracefully(
  conns: readonly Connection[],
  deadline: number,
): Promise<void> {
  let open = conns.filter((conn) => !conn.closed);
  for (;;) {
    const busy: Connection[] = [];
    for (const conn of open) {
      if (conn.serving > 0 && Date.now() < deadline) busy.push(conn);
      else await conn.close();
    }
    open = busy.filter((conn) => !conn.closed);
    if (open.length === 0) return;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))),
    );
  }
}
