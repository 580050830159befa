/**
 * Every limit of the registry, in one place. Each is a default that options can override.
 */

/**
 * UDP and TCP port a registry listens on unless told otherwise (RPyC's REGISTRY_PORT).
 *
 * @example
 * createTcpRegistryClient({ host: "10.0.0.5", port: DEFAULT_REGISTRY_PORT });
 */
export const DEFAULT_REGISTRY_PORT = 18811;

/**
 * How long a registration lives without a refresh (RPyC's `pruning_timeout`: 240 s).
 *
 * @example
 * await serveRegistry({ pruneTimeoutMs: DEFAULT_PRUNE_TIMEOUT_MS / 4 });
 */
export const DEFAULT_PRUNE_TIMEOUT_MS = 240_000;

/**
 * How often a server re-registers (RPyC's `REREGISTER_INTERVAL`: 60 s). Keep it well below the
 * registry's prune timeout, so one lost datagram does not drop the server.
 *
 * @example
 * await serve(TimeService, { registrar, registerIntervalMs: DEFAULT_REREGISTER_INTERVAL_MS });
 */
export const DEFAULT_REREGISTER_INTERVAL_MS = 60_000;

/**
 * How long a client waits for the registry's answer (RPyC: 2 s).
 *
 * @example
 * createUdpRegistryClient({ timeoutMs: 2 * DEFAULT_REGISTRY_TIMEOUT_MS });
 */
export const DEFAULT_REGISTRY_TIMEOUT_MS = 2_000;

/**
 * Size and count limits of the registry protocol and table.
 *
 * @example
 * await serveRegistry({ limits: { ...DEFAULT_REGISTRY_LIMITS, maxEntries: 100 } });
 */
export interface RegistryLimits {
  /** Largest request (datagram or TCP frame payload) the registry reads; larger ones are dropped. */
  readonly maxRequestBytes: number;
  /** Largest UDP reply; a QUERY/LIST answer that would exceed it is cut (oldest endpoints first). */
  readonly maxUdpReplyBytes: number;
  /** Largest TCP reply frame, same rule. A client refuses a reply frame over this size. */
  readonly maxTcpReplyBytes: number;
  /** Longest service name, in characters. */
  readonly maxNameLength: number;
  /** Most names (service name plus aliases) in one REGISTER. */
  readonly maxNamesPerRegister: number;
  /** Most (name, host, port) entries the registry holds; a REGISTER past it is refused. */
  readonly maxEntries: number;
  /** Most TCP connections the registry serves at once; more are closed at once. */
  readonly maxTcpConnections: number;
  /** A TCP peer that sends no complete request within this time is disconnected. */
  readonly tcpIdleTimeoutMs: number;
}

/**
 * The defaults. 1500 bytes per request mirrors RPyC (one Ethernet MTU); replies may be larger
 * (RPyC allows 15 000 bytes for LIST) and are fragmented by IP when they exceed the MTU.
 *
 * @example
 * console.log(DEFAULT_REGISTRY_LIMITS.maxRequestBytes); // 1500
 */
export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = Object.freeze({
  maxRequestBytes: 1500,
  maxUdpReplyBytes: 16_384,
  maxTcpReplyBytes: 1_048_576,
  maxNameLength: 255,
  maxNamesPerRegister: 32,
  maxEntries: 10_000,
  maxTcpConnections: 256,
  tcpIdleTimeoutMs: 10_000,
});
