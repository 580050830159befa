/**
 * @rpyc/transport-ws, browser entry (the `browser` and default export conditions): the
 * WebSocket client on the platform's `WebSocket`, and the transport itself. It imports no Node
 * built-in and not `ws`. On Node, the same import resolves to node.ts (client on `ws`); the
 * server is on `@rpyc/transport-ws/server`.
 */
export { connect, type ConnectOptions, type WebSocketConstructor } from "./connect.ts";
export type { NodeConnectOptions } from "./connect-node.ts";
export {
  createWebSocketTransport,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from "./websocket-transport.ts";
export { ConnectError } from "./errors.ts";
