/**
 * Connection configuration: the access policy knobs (enforced by this side on what its peer
 * asks), time, bounds and wire limits. Every knob has a documented default in
 * `DEFAULT_CONFIG`; pass a partial config as `options.config`.
 */
import { type AccessConfig, DEFAULT_ACCESS_CONFIG } from "@rpyc/netref";
import { DEFAULT_LIMITS, type Limits } from "@rpyc/protocol";

/**
 * @example
 * const config: Partial<ConnectionConfig> = { timeout: 5000, allowPublicAttrs: true };
 */
export interface ConnectionConfig extends AccessConfig {
  /** Default timeout of each outgoing call, in ms (RPyC: 30 s). 0 = none. */
  readonly timeout: number;
  /**
   * Time allowed for the peer's Hello, in ms; never more than `timeout` when that is set.
   * Default 5000. 0 = none.
   */
  readonly handshakeTimeout: number;
  /** Send error stacks to the peer (RPyC's include_local_traceback). Default true. */
  readonly includeRemoteStack: boolean;
  /** Most of the peer's requests this side runs at once; beyond, an error reply. Default 16384. */
  readonly maxPendingRequests: number;
  /**
   * Most pipelined results this side keeps for its peer at once (`Request.hold`, see
   * docs/netrefs.md); beyond, results are sent back as usual. Default 16384.
   */
  readonly maxHeldResults: number;
  /**
   * Most bytes of results this side keeps for its peer, for held results and, separately, for
   * pipelined results waiting for their dependents (an estimate: byte containers and strings
   * count their length).
   * Beyond, a result is replied as usual instead of held, and a pipelined result's dependents
   * get `RPYC_ERR_TOO_MANY_REQUESTS`. Default 32 MiB.
   */
  readonly maxHeldBytes: number;
  /** Wire limits this side enforces on what it receives (see @rpyc/protocol DEFAULT_LIMITS). */
  readonly limits: Readonly<Partial<Limits>>;
}

/**
 * The defaults.
 *
 * | knob               | default | meaning                                              |
 * |--------------------|---------|------------------------------------------------------|
 * | allowPublicAttrs   | false   | expose own data fields of class instances            |
 * | allowAllAttrs      | false   | also expose "_"-prefixed names                        |
 * | allowSetAttr       | false   | let the peer set attributes (never on a Service)     |
 * | allowDelAttr       | false   | let the peer delete attributes (never on a Service)  |
 * | timeout            | 30000   | ms per outgoing call (0: none)                       |
 * | handshakeTimeout   | 5000    | ms for the peer's Hello, at most `timeout` (0: none) |
 * | includeRemoteStack | true    | send error stacks to the peer                        |
 * | maxPendingRequests | 16384   | incoming requests running at once                    |
 * | maxHeldResults     | 16384   | pipelined results kept for the peer (then: replied)  |
 * | maxHeldBytes       | 32 MiB  | bytes of results kept for the peer (see above)       |
 * | limits             | {}      | DEFAULT_LIMITS of @rpyc/protocol (64 MiB frames…)    |
 *
 * @example
 * await connectStream(socket, { config: { ...DEFAULT_CONFIG, timeout: 5000 } });
 */
export const DEFAULT_CONFIG: ConnectionConfig = Object.freeze({
  ...DEFAULT_ACCESS_CONFIG,
  timeout: 30_000,
  handshakeTimeout: 5_000,
  includeRemoteStack: true,
  maxPendingRequests: 16_384,
  maxHeldResults: 16_384,
  maxHeldBytes: 32 * 1024 * 1024,
  limits: Object.freeze({}),
});

/**
 * `DEFAULT_CONFIG` with `partial` laid over it; rejects nonsense values early.
 *
 * @example
 * resolveConfig({ timeout: 1000 }).maxPendingRequests; // 16384
 */
export function resolveConfig(partial: Partial<ConnectionConfig> | undefined): ConnectionConfig {
  const config = { ...DEFAULT_CONFIG, ...partial };
  if (!(config.timeout >= 0))
    throw new RangeError(`config.timeout must be >= 0 ms, got ${String(config.timeout)}`);
  if (!(config.handshakeTimeout >= 0)) {
    throw new RangeError(
      `config.handshakeTimeout must be >= 0 ms, got ${String(config.handshakeTimeout)}`,
    );
  }
  if (!Number.isSafeInteger(config.maxPendingRequests) || config.maxPendingRequests < 1) {
    throw new RangeError(
      `config.maxPendingRequests must be a positive integer, got ${String(config.maxPendingRequests)}`,
    );
  }
  if (!Number.isSafeInteger(config.maxHeldResults) || config.maxHeldResults < 0) {
    throw new RangeError(
      `config.maxHeldResults must be an integer >= 0, got ${String(config.maxHeldResults)}`,
    );
  }
  if (!Number.isSafeInteger(config.maxHeldBytes) || config.maxHeldBytes < 0) {
    throw new RangeError(
      `config.maxHeldBytes must be an integer >= 0, got ${String(config.maxHeldBytes)}`,
    );
  }
  return config;
}

export { DEFAULT_LIMITS };
