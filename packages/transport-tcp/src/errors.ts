/**
 * Errors raised by @rpyc/transport-tcp. Every class extends `RpycError` and carries a stable
 * `RPYC_ERR_*` code: match on `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/core";

/**
 * The TCP, TLS or Unix-socket connection could not be opened.
 * Codes: `RPYC_ERR_CONNECT` (refused, unreachable, DNS…), `RPYC_ERR_CONNECT_TIMEOUT` (every
 * attempt timed out), `RPYC_ERR_NOT_RPYC` (the port answered with something that is not rpyc-ts).
 *
 * @example
 * try { await connect("127.0.0.1", 1) } catch (err) {
 *   if (err instanceof ConnectError) console.error(err.code, err.message);
 * }
 */
export class ConnectError extends RpycError {
  override name = "ConnectError";
}

/**
 * The server refused this client: its authenticator threw (`RPYC_ERR_AUTHENTICATION`) or it is
 * at its connection limit (`RPYC_ERR_TOO_MANY_CONNECTIONS`). Raised by `connect()` on the client;
 * on the server, throw it (or any error) from an authenticator to reject a client.
 *
 * @example
 * const server = await serve(EchoService, {
 *   authenticator: (socket) => { throw new AuthenticationError("RPYC_ERR_AUTHENTICATION", "unknown client"); },
 * });
 */
export class AuthenticationError extends RpycError {
  override name = "AuthenticationError";
}

/**
 * The TLS handshake failed: the peer's certificate is not signed by a trusted CA
 * (`RPYC_ERR_TLS_CERTIFICATE`), does not match the host name (`RPYC_ERR_TLS_HOSTNAME`), the
 * server wants a client certificate (`RPYC_ERR_TLS_CLIENT_CERTIFICATE`), or the handshake broke
 * otherwise (`RPYC_ERR_TLS`). `cause` holds Node's original error.
 *
 * @example
 * await connect("127.0.0.1", port, { tls: { ca, servername: "localhost" } }); // may throw TlsError
 */
export class TlsError extends RpycError {
  override name = "TlsError";
}
