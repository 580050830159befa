/**
 * The public shapes around a `Connection`: how to connect (`ConnectOptions`, `ServiceSpec`),
 * what `stats()` reports, and the events it emits.
 */
import type { ConnectionConfig } from "./config.ts";
import type { ReconnectOptions } from "./reconnect/reconnect-options.ts";

/**
 * A local service: a class (one instance per connection) or an instance (shared).
 *
 * @example
 * const spec: ServiceSpec<EchoService> = EchoService; // or new EchoService()
 */
export type ServiceSpec<S extends object = object> = S | (new () => S);

/**
 * Options of `connectTransport`, `connectStream` and `connectPair`.
 *
 * @example
 * await connectTransport(transport, { service: EchoService, config: { timeout: 5000 } });
 */
export interface ConnectOptions<S extends object = object> {
  /** The service this side exposes (default `VoidService`). */
  readonly service?: ServiceSpec<S>;
  /** Policy, time and limits (defaults: `DEFAULT_CONFIG`). */
  readonly config?: Partial<ConnectionConfig>;
  /**
   * Who the peer is, as a server's authenticator established it (e.g. a TLS client
   * certificate's subject); exposed as `conn.credentials`. Default undefined.
   */
  readonly credentials?: unknown;
  /**
   * Clients: redial after a transport failure (not after a received Close or `close()`), with
   * backoff. `true` takes the defaults (`DEFAULT_RECONNECT`). Without `resume`, the objects of
   * the lost session fail with `SessionLostError`; `conn.root` works again. docs/resume.md.
   * Only connections made by a dialing `connect()` (tcp, unix, ws) can reconnect.
   */
  readonly reconnect?: boolean | ReconnectOptions;
}

/**
 * Snapshot of a connection's tables, for leak checks.
 *
 * @example
 * conn.stats(); // { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 }
 */
export interface ConnectionStats {
  /** My exports the peer holds (the root excluded). */
  readonly exported: number;
  /** The peer's objects I hold netrefs to. */
  readonly imported: number;
  /** My requests in flight. */
  readonly pending: number;
  /** Results of the peer's requests this side keeps for it (`Held`; see docs/netrefs.md). */
  readonly held: number;
  /** Results of my requests the peer keeps for me. */
  readonly heldByPeer: number;
}

/**
 * Events: "close" (with the error when it failed) and "error" (a non-fatal problem).
 *
 * @example
 * conn.on("error", (error) => console.warn(error.message));
 */
export type ConnectionEvents = {
  close: [error: Error | undefined];
  error: [error: Error];
  /** The transport failed; the connection is redialing (with `reconnect`). */
  disconnect: [error: Error];
  /** The connection is back; `resumed` says whether the session survived (docs/resume.md). */
  reconnect: [info: ReconnectInfo];
  /** Every redial failed: the connection closes next (its "close" follows). */
  reconnectFailed: [error: Error];
};

/**
 * What a `reconnect` event reports.
 *
 * @example
 * conn.on("reconnect", ({ resumed, attempts }) => console.log(resumed ? "resumed" : "new session", attempts));
 */
export interface ReconnectInfo {
  /** True when the session resumed (every object and call survived); false: a new session. */
  readonly resumed: boolean;
  /** Redials it took. */
  readonly attempts: number;
}
