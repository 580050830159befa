/**
 * @rpyc/registry: service registry and discovery for rpyc-ts. A registry server (UDP or TCP),
 * clients with one API over UDP, TCP or Redis, and `connectByService`.
 */
export { serveRegistry, type ServeRegistryOptions } from "./serve-registry.ts";
export {
  RegistryServer,
  type RegistryStats,
  type RegistryServerEvents,
  type RegistrationEvent,
  type DroppedEvent,
} from "./registry-server.ts";
export type { Endpoint, RegistryChange } from "./registry-table.ts";
export type { RegistryClient } from "./registry-client.ts";
export { createUdpRegistryClient, type UdpRegistryClientOptions } from "./udp-registry-client.ts";
export { createTcpRegistryClient, type TcpRegistryClientOptions } from "./tcp-registry-client.ts";
export { createRegistryClient, type RegistryUrlOptions } from "./create-registry-client.ts";
export {
  createRedisRegistry,
  type RedisRegistryClient,
  type RedisRegistryOptions,
  type RedisLike,
  type RedisSubscriberLike,
} from "./redis-registry-client.ts";
export { connectByService, type ConnectByServiceOptions } from "./connect-by-service.ts";
export {
  DEFAULT_REGISTRY_PORT,
  DEFAULT_PRUNE_TIMEOUT_MS,
  DEFAULT_REREGISTER_INTERVAL_MS,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  DEFAULT_REGISTRY_LIMITS,
  type RegistryLimits,
} from "./limits.ts";
export { REGISTRY_MAGIC, REGISTRY_WIRE_VERSION } from "./registry-wire.ts";
export {
  DiscoveryError,
  RegistryUnreachableError,
  ListingDisabledError,
  RegistryError,
  type FailedAttempt,
} from "./errors.ts";
