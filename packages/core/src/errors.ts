/**
 * Errors raised by @rpyc/core. Every class extends `RpycError` and carries a stable
 * `RPYC_ERR_*` code. (Owner: core. Transports import these; they do not add their own here.)
 */
import { RpycError } from "@rpyc/protocol";

export { RpycError, ProtocolError } from "@rpyc/protocol";

/**
 * The connection is closed: raised by calls made after `close()`, and used to reject every call
 * still pending when the connection closes.
 *
 * @example
 * await conn.close();
 * await conn.root.add(1, 2); // rejects with ConnectionClosedError (RPYC_ERR_CONNECTION_CLOSED)
 */
export class ConnectionClosedError extends RpycError {
  override name = "ConnectionClosedError";
  constructor(message = "the connection is closed", options?: ErrorOptions) {
    super("RPYC_ERR_CONNECTION_CLOSED", message, options);
  }
}

/**
 * A transport failed: a socket error, a full send queue (`RPYC_ERR_SEND_QUEUE_FULL`), or a
 * medium that went away. Delivered through `TransportHandlers.onClose(error)`.
 *
 * @example
 * new TransportError("RPYC_ERR_SEND_QUEUE_FULL", "send queue over 64 MiB: the peer is not reading")
 */
export class TransportError extends RpycError {
  override name = "TransportError";
}
