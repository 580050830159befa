/**
 * @rpyc/core: transparent, symmetric RPC for TypeScript built on object proxying (RPyC for
 * TypeScript). Connections, services, netrefs and their helpers, errors.
 */
export { Connection, type Dialer } from "./connection.ts";
export type {
  ConnectOptions,
  ConnectionEvents,
  ConnectionStats,
  ReconnectInfo,
  ServiceSpec,
} from "./connection-types.ts";
export {
  DEFAULT_RECONNECT,
  backoffDelay,
  type ReconnectOptions,
} from "./reconnect/reconnect-options.ts";
export {
  retryOnDisconnect,
  isDisconnectError,
  type RetryOnDisconnectOptions,
} from "./reconnect/retry-on-disconnect.ts";
export { closeGracefully } from "./close-gracefully.ts";
export { waitAtMost } from "./wait-at-most.ts";
export {
  DEFAULT_DELIVERY_LIMITS,
  DeliveryQueue,
  type DeliveryFailure,
  type DeliveryLimits,
} from "./delivery-queue.ts";
export {
  connectTransport,
  connectDialing,
  connectPair,
  connectStream,
  type StreamConnectOptions,
} from "./connect.ts";
export {
  connectPort,
  createMessagePortTransport,
  CLOSE_MESSAGE,
  type MessagePortTransportOptions,
  type PortLike,
} from "./message-port-transport.ts";
export { Service, VoidService, serviceNameOf } from "./service.ts";
export { currentCall, type CallContext } from "./call-context.ts";
export { type ConnectionConfig, DEFAULT_CONFIG, resolveConfig } from "./config.ts";
export { type Transport, type TransportHandlers } from "./transport.ts";
export {
  createStreamTransport,
  type DuplexLike,
  type StreamTransportOptions,
  type StreamBounds,
  streamOptionsOf,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HIGH_WATER_BYTES,
  DEFAULT_FRAME_TIMEOUT_MS,
} from "./stream-transport.ts";
export {
  RpycError,
  ProtocolError,
  FrameTooLargeError,
  AccessDeniedError,
  BoxingError,
  OverReleaseError,
  ReleasedNetrefError,
  RemoteError,
  UnknownRefError,
  ConnectionClosedError,
  TransportError,
  TimeoutError,
  AbortError,
  TooManyRequestsError,
  NoCurrentCallError,
  HandshakeError,
  SessionLostError,
  DisconnectedError,
} from "./errors.ts";
export {
  release,
  obtain,
  setAttr,
  delAttr,
  has,
  keys,
  repr,
  inspect,
  isNetref,
  isRemotePromise,
  byRef,
  restricted,
  withOptions,
  registerError,
  isRemoteError,
  ITER_BATCH,
  type Remote,
  type RemotePromise,
  type Received,
  type CallOptions,
  type AccessConfig,
  type Inspection,
} from "@rpyc/netref";
export { DEFAULT_LIMITS, isNativeCodecActive, type Limits } from "@rpyc/protocol";
export { LIBRARY_VERSION } from "./version.ts";
