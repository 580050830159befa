/**
 * `nextEvent(conn, "reconnect")`: a promise of a connection's next event (its arguments), so
 * tests wait on events, never on sleeps.
 */
import type { Connection, ConnectionEvents } from "@rpyc/core";

export function nextEvent<E extends keyof ConnectionEvents>(
  conn: Connection,
  event: E,
): Promise<ConnectionEvents[E]> {
  return new Promise((resolve) => {
    const off = conn.on(event, (...args) => {
      off();
      resolve(args);
    });
  });
}
