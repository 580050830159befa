/**
 * @rpyc/transport-ws/node: the Node WebSocket client on the `ws` package (Node 20 and later).
 */
export { connect, type NodeConnectOptions } from "./connect-node.ts";
export {
  createWebSocketTransport,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from "./websocket-transport.ts";
export { ConnectError } from "./errors.ts";
