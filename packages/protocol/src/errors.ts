/**
 * Errors of the wire layer, and the base class of every rpyc-ts library error.
 * Codes are stable strings (`RPYC_ERR_*`): match on `err.code`, never on the message.
 */

/**
 * Base class of every error rpyc-ts itself raises.
 *
 * @example
 * try { await conn.root.secret } catch (err) {
 *   if (err instanceof RpycError && err.code === "RPYC_ERR_ACCESS_DENIED") …
 * }
 */
export class RpycError extends Error {
  override name = "RpycError";
  constructor(
    /** Stable `RPYC_ERR_*` code. */
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Bytes that are not a valid rpyc-ts message, or that exceed a limit. The only error the
 * decoder and the frame decoder ever throw.
 *
 * @example
 * try { decodeMessage(bytes) } catch (err) { if (err instanceof ProtocolError) closeWith(err.code) }
 */
export class ProtocolError extends RpycError {
  override name = "ProtocolError";
}
