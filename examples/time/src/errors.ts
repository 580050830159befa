/**
 * Errors the time service raises. They cross the wire with their `code`, so a client matches on
 * `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/core";

/**
 * A bad request to the time service: an interval out of range (`RPYC_ERR_TIME_BAD_INTERVAL`), an
 * `onTick` that is not a function (`RPYC_ERR_TIME_BAD_CALLBACK`), or too many live subscriptions
 * on one connection (`RPYC_ERR_TIME_TOO_MANY_SUBSCRIPTIONS`).
 *
 * @example
 * try { await conn.root.subscribe(1, onTick) } catch (err) {
 *   if ((err as TimeError).code === "RPYC_ERR_TIME_BAD_INTERVAL") console.log("pick a longer interval");
 * }
 */
export class TimeError extends RpycError {
  override name = "TimeError";
}
