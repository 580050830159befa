/**
 * Errors the file monitor raises. They cross the wire with their `code`: clients match on
 * `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/core";

/**
 * Stable codes of `FileMonitorError`:
 * - `RPYC_ERR_FILEMON_OUTSIDE_ROOT`: the path leaves the server's root directory;
 * - `RPYC_ERR_FILEMON_NOT_FOUND`: neither the path nor its directory exists;
 * - `RPYC_ERR_FILEMON_BAD_REQUEST`: a malformed argument (path, callback, mode, interval);
 * - `RPYC_ERR_FILEMON_TOO_MANY_SUBSCRIPTIONS`: the connection holds `maxSubscriptions` already.
 */
export type FileMonitorErrorCode =
  | "RPYC_ERR_FILEMON_OUTSIDE_ROOT"
  | "RPYC_ERR_FILEMON_NOT_FOUND"
  | "RPYC_ERR_FILEMON_BAD_REQUEST"
  | "RPYC_ERR_FILEMON_TOO_MANY_SUBSCRIPTIONS";

/**
 * Any refusal of the file monitor.
 *
 * @example
 * try { await conn.root.watch("../etc", onEvent) } catch (err) {
 *   if ((err as FileMonitorError).code === "RPYC_ERR_FILEMON_OUTSIDE_ROOT") console.log("stay inside");
 * }
 */
export class FileMonitorError extends RpycError {
  override name = "FileMonitorError";
  declare readonly code: FileMonitorErrorCode;
  constructor(code: FileMonitorErrorCode, message: string) {
    super(code, message);
  }
}
