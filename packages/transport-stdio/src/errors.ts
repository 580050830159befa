/**
 * Errors raised by @rpyc/transport-stdio. Every class extends `RpycError` and carries a stable
 * `RPYC_ERR_*` code.
 */
import { RpycError } from "@rpyc/core";

/**
 * The subprocess could not be started (`RPYC_ERR_SPAWN`: command not found, not executable…).
 *
 * @example
 * try { await connectSubprocess("no-such-program") } catch (err) {
 *   if (err instanceof SubprocessError) console.error(err.code, err.message);
 * }
 */
export class SubprocessError extends RpycError {
  override name = "SubprocessError";
}
