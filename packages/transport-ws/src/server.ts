/**
 * @rpyc/transport-ws/server: the Node WebSocket server on the `ws` package.
 */
export { serve, DEFAULT_MAX_WS_CONNECTIONS, type WsServeOptions, type WsServer } from "./serve.ts";
