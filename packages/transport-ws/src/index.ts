/**
 * @rpyc/transport-ws, browser-safe entry: the WebSocket client on the platform's `WebSocket`
 * (browsers, Node ≥ 22) and the transport itself. Node-only parts live on subpaths:
 * `@rpyc/transport-ws/node` (client on the `ws` package) and `@rpyc/transport-ws/server`.
 */
export { connect, type ConnectOptions, type WebSocketConstructor } from "./connect.ts";
export {
  createWebSocketTransport,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from "./websocket-transport.ts";
export { ConnectError } from "./errors.ts";
