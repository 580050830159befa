// The same job with capnweb: a WebSocket session and a target the server may call.
export { newWebSocketRpcSession, RpcTarget } from "capnweb";
