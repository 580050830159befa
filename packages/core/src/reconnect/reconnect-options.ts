/**
 * `reconnect`: how a client redials after its transport failed (not after a received Close or
 * its own `close()`), and the backoff between attempts. See docs/resume.md.
 */

/**
 * Options of `connect(…, { reconnect })`.
 *
 * @example
 * await connect("127.0.0.1", 18861, { reconnect: { retries: 20, minDelayMs: 50, maxDelayMs: 2000 } });
 */
export interface ReconnectOptions {
  /** Redials after one failure before giving up (`reconnectFailed`, then `close`). Default 10; `Infinity` allowed. */
  readonly retries?: number;
  /** Delay before the first redial, in ms; doubled after each failed one. Default 100. */
  readonly minDelayMs?: number;
  /** Most delay between two redials, in ms. Default 5000. */
  readonly maxDelayMs?: number;
  /** Fraction (0…1) of each delay drawn at random, so many clients do not redial in step. Default 0.5. */
  readonly jitter?: number;
  /**
   * Calls made while the connection is down are queued and sent once it is back, up to this
   * many; beyond, they reject with `DisconnectedError` (`RPYC_ERR_DISCONNECTED`). 0 rejects
   * every call made while down. Default 1024.
   */
  readonly maxQueuedCalls?: number;
}

export interface ResolvedReconnect {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  readonly maxQueuedCalls: number;
}

/**
 * The defaults of `reconnect: true` (or of every option left out).
 *
 * @example
 * DEFAULT_RECONNECT.retries; // 10
 */
export const DEFAULT_RECONNECT: ResolvedReconnect = Object.freeze({
  retries: 10,
  minDelayMs: 100,
  maxDelayMs: 5000,
  jitter: 0.5,
  maxQueuedCalls: 1024,
});

/** `true`, or options laid over the defaults; rejects nonsense values early. */
export function resolveReconnect(
  options: boolean | ReconnectOptions | undefined,
): ResolvedReconnect | undefined {
  if (options === undefined || options === false) return undefined;
  const resolved = { ...DEFAULT_RECONNECT, ...(options === true ? {} : options) };
  const check = (name: keyof ResolvedReconnect, ok: boolean): void => {
    if (!ok) throw new RangeError(`reconnect.${name} is out of range: ${String(resolved[name])}`);
  };
  check("retries", resolved.retries >= 0);
  check("minDelayMs", resolved.minDelayMs >= 0);
  check("maxDelayMs", resolved.maxDelayMs >= resolved.minDelayMs);
  check("jitter", resolved.jitter >= 0 && resolved.jitter <= 1);
  check("maxQueuedCalls", resolved.maxQueuedCalls >= 0);
  return resolved;
}

/**
 * The delay before redial number `attempt` (1, 2, …): `minDelayMs · 2^(attempt-1)`, at most
 * `maxDelayMs`, of which a `jitter` fraction is random (full jitter on that part, as AWS's
 * "Exponential Backoff And Jitter" advises).
 */
export function backoffDelay(
  options: ResolvedReconnect,
  attempt: number,
  random = Math.random,
): number {
  const base = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base * (1 - options.jitter * random()));
}
