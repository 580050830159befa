/**
 * @rpyc/transport-ws on Node (the `node` export condition of the main entry, and the
 * `@rpyc/transport-ws/node` subpath): the same names as the browser entry, with `connect` on
 * the `ws` package (Node 20 and later). The server is on `@rpyc/transport-ws/server`.
 */
export { connect, type NodeConnectOptions } from "./connect-node.ts";
export { type ConnectOptions, type WebSocketConstructor } from "./connect.ts";
export {
  createWebSocketTransport,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from "./websocket-transport.ts";
export { ConnectError } from "./errors.ts";
