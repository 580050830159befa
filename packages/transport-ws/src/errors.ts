/**
 * Errors raised by @rpyc/transport-ws. Every class extends `RpycError` and carries a stable
 * `RPYC_ERR_*` code. Failures of an open transport are core's `TransportError`/`ProtocolError`
 * (`RPYC_ERR_SEND_QUEUE_FULL`, `RPYC_ERR_TEXT_FRAME`, `RPYC_ERR_FRAME_TOO_LARGE`…).
 */
import { RpycError } from "@rpyc/core";

/**
 * The WebSocket could not be opened (`RPYC_ERR_CONNECT`), or there is no WebSocket
 * implementation to open it with (`RPYC_ERR_NO_WEBSOCKET`).
 *
 * @example
 * try { await connect("ws://127.0.0.1:1") } catch (err) {
 *   if (err instanceof ConnectError) console.error(err.code, err.message);
 * }
 */
export class ConnectError extends RpycError {
  override name = "ConnectError";
}
