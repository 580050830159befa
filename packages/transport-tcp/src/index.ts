/**
 * @rpyc/transport-tcp: rpyc-ts over TCP, TLS and Unix sockets — `connect()` / `connectUnix()`
 * for clients, `serve()` for servers.
 */
export { connect, connectUnix, type ConnectOptions } from "./connect.ts";
export {
  DEFAULT_CONNECT_ATTEMPTS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_MS,
  type ClientTlsOptions,
  type SocketOptions,
} from "./open-socket.ts";
export {
  serve,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_MAX_CONNECTIONS,
  type Authenticator,
  type CloseOptions,
  type Server,
  type ServerTlsOptions,
  type ServeOptions,
} from "./serve.ts";
export {
  DEFAULT_REGISTER_INTERVAL_MS,
  REGISTER_RETRY_MS,
  startRegistration,
  type Registrar,
  type Registration,
} from "./registration.ts";
export { AuthenticationError, ConnectError, TlsError } from "./errors.ts";
