/**
 * Errors raised by @rpyc/core, plus every other rpyc-ts error class re-exported so users import
 * them from one place. Every class extends `RpycError` and carries a stable `RPYC_ERR_*` code.
 * (Owner: core. Transports import these; they do not add their own here.)
 */
import { RpycError } from "@rpyc/protocol";

export { RpycError, ProtocolError, FrameTooLargeError } from "@rpyc/protocol";
export {
  AccessDeniedError,
  BoxingError,
  OverReleaseError,
  ReleasedNetrefError,
  RemoteError,
  SessionLostError,
  UnknownRefError,
} from "@rpyc/netref";

/**
 * The connection is closed: raised by calls made after `close()`, and used to reject every call
 * still pending when the connection closes. `cause` holds the reason when it failed.
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

/**
 * A call got no reply within its timeout (config `timeout`, default 30 s, or
 * `withOptions(ref, { timeout })`). The remote handler was told to stop (its AbortSignal fired);
 * a late reply is dropped; the connection stays usable.
 *
 * @example
 * await withOptions(conn.root, { timeout: 100 }).slow(); // TimeoutError (RPYC_ERR_TIMEOUT)
 */
export class TimeoutError extends RpycError {
  override name = "TimeoutError";
  constructor(message: string) {
    super("RPYC_ERR_TIMEOUT", message);
  }
}

/**
 * A call was aborted through its AbortSignal (`withOptions(ref, { signal })`), or — on the
 * handler's side — the caller cancelled it. Named "AbortError" like the DOM's; `cause` holds the
 * signal's reason.
 *
 * @example
 * const ac = new AbortController();
 * const p = withOptions(conn.root, { signal: ac.signal }).slow();
 * ac.abort(); await p; // rejects with AbortError (RPYC_ERR_ABORTED)
 */
export class AbortError extends RpycError {
  override name = "AbortError";
  constructor(message = "the call was aborted", options?: ErrorOptions) {
    super("RPYC_ERR_ABORTED", message, options);
  }
}

/**
 * The peer already has `maxPendingRequests` of this side's handlers running; the request was
 * refused without running. Retry later, or raise `maxPendingRequests` on the serving side.
 *
 * @example
 * // err.code === "RPYC_ERR_TOO_MANY_REQUESTS"
 */
export class TooManyRequestsError extends RpycError {
  override name = "TooManyRequestsError";
  constructor(message: string) {
    super("RPYC_ERR_TOO_MANY_REQUESTS", message);
  }
}

/**
 * `currentCall()` was called outside the synchronous start of a service handler.
 *
 * @example
 * async handler() { await x; currentCall(); } // throws NoCurrentCallError (RPYC_ERR_NO_CURRENT_CALL)
 */
export class NoCurrentCallError extends RpycError {
  override name = "NoCurrentCallError";
  constructor() {
    super(
      "RPYC_ERR_NO_CURRENT_CALL",
      "currentCall() is only valid synchronously at the start of a service handler, before its first await; read it into a variable first",
    );
  }
}

/**
 * The peer answered the handshake with something that is not a Hello, or never answered it in
 * time. (A protocol version mismatch is a `ProtocolError` with `RPYC_ERR_VERSION_MISMATCH`.)
 *
 * @example
 * // err.code === "RPYC_ERR_HANDSHAKE"
 */
export class HandshakeError extends RpycError {
  override name = "HandshakeError";
  constructor(message: string, options?: ErrorOptions) {
    super("RPYC_ERR_HANDSHAKE", message, options);
  }
}

/**
 * A call made while a reconnecting connection is down could not be queued: more than
 * `reconnect.maxQueuedCalls` were waiting (0: none may wait), or a ping. Retry once the
 * `reconnect` event fired (`retryOnDisconnect` does).
 *
 * @example
 * // err.code === "RPYC_ERR_DISCONNECTED"
 */
export class DisconnectedError extends RpycError {
  override name = "DisconnectedError";
  constructor(message: string, options?: ErrorOptions) {
    super("RPYC_ERR_DISCONNECTED", message, options);
  }
}
