/**
 * The registry's state: service name → endpoints, with last-seen times from an injectable clock.
 * Pure bookkeeping, shared by the UDP and TCP servers; no I/O and no timers of its own.
 *
 * Idea from RPyC's `RegistryServer` (`services[NAME][(ip, port)] = last_seen`), extended with a
 * size limit and pruning of every name, not only the one queried.
 */
import { RegistryError } from "./errors.ts";
import type { RegistryLimits } from "./limits.ts";

/**
 * Where a service can be reached, and when its server last (re-)registered.
 *
 * @example
 * const [first]: Endpoint[] = await registry.discover("TIME");
 */
export interface Endpoint {
  /** Host as the registry saw it: the source address of the REGISTER request. */
  readonly host: string;
  readonly port: number;
  /** When the registration was last refreshed, in ms since the epoch (the registry's clock). */
  readonly lastSeen: number;
}

/**
 * One (name, endpoint) pair that appeared or went away.
 *
 * @example
 * registry.on("added", (c: RegistryChange) => console.log(`+ ${c.name} ${c.host}:${c.port}`));
 */
export interface RegistryChange {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Why it went away; absent for additions. */
  readonly reason?: "unregistered" | "pruned";
}

export interface RegistryTableOptions {
  readonly pruneTimeoutMs: number;
  readonly limits: Pick<RegistryLimits, "maxEntries" | "maxNameLength" | "maxNamesPerRegister">;
  /** Clock in ms since the epoch; tests inject one to prune without waiting. */
  readonly now: () => number;
  readonly onAdded?: (change: RegistryChange) => void;
  readonly onRemoved?: (change: RegistryChange) => void;
}

/**
 * Normalises and checks service names: upper-cased like RPyC, non-empty, within the limits.
 * Throws `RegistryError` (`RPYC_ERR_REGISTRY_BAD_REQUEST`) otherwise. Duplicates are removed.
 *
 * @example
 * normalizeNames(["time", "Clock"], DEFAULT_REGISTRY_LIMITS); // ["TIME", "CLOCK"]
 */
export function normalizeNames(
  names: readonly string[],
  limits: Pick<RegistryLimits, "maxNameLength" | "maxNamesPerRegister">,
): string[] {
  if (names.length === 0) throw badRequest("register needs at least one service name");
  if (names.length > limits.maxNamesPerRegister) {
    throw badRequest(
      `${names.length} names in one registration; the limit is ${limits.maxNamesPerRegister}`,
    );
  }
  return [...new Set(names.map((n) => normalizeName(n, limits)))];
}

/**
 * Normalises one service name (see `normalizeNames`).
 *
 * @example
 * normalizeName("time", DEFAULT_REGISTRY_LIMITS); // "TIME"
 */
export function normalizeName(name: string, limits: Pick<RegistryLimits, "maxNameLength">): string {
  if (name.length === 0) throw badRequest("a service name must not be empty");
  if (name.length > limits.maxNameLength) {
    throw badRequest(
      `service name of ${name.length} characters; the limit is ${limits.maxNameLength}`,
    );
  }
  return name.toUpperCase();
}

/**
 * Checks a TCP port number for registration (1–65535).
 *
 * @example
 * checkPort(18861);
 */
export function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw badRequest(`port ${port} is not a TCP port (1-65535)`);
  }
  return port;
}

function badRequest(message: string): RegistryError {
  return new RegistryError("RPYC_ERR_REGISTRY_BAD_REQUEST", message);
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) → "10.0.0.1". */
export function normalizeHost(host: string): string {
  return host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
}

const endpointKey = (host: string, port: number) => `${host}\u0000${port}`;

/** The table. Each name maps to its endpoints in last-seen order (oldest first). */
export class RegistryTable {
  readonly #services = new Map<string, Map<string, Endpoint>>();
  #entries = 0;

  constructor(readonly options: RegistryTableOptions) {}

  /** Number of (name, endpoint) entries held. */
  get size(): number {
    return this.#entries;
  }

  /**
   * Adds or refreshes `(name, host, port)` for every name. Refused as a whole, before any
   * change, when it would take the table past `maxEntries`.
   */
  register(
    names: readonly string[],
    host: string,
    port: number,
  ): { added: string[]; refreshed: string[] } {
    const normalized = normalizeNames(names, this.options.limits);
    checkPort(port);
    const key = endpointKey(host, port);
    const fresh = normalized.filter((n) => !this.#services.get(n)?.has(key));
    if (this.#entries + fresh.length > this.options.limits.maxEntries) {
      this.prune();
      if (this.#entries + fresh.length > this.options.limits.maxEntries) {
        throw new RegistryError(
          "RPYC_ERR_REGISTRY_FULL",
          `the registry holds ${this.#entries} entries, its limit (maxEntries ${this.options.limits.maxEntries}); retry later or raise the limit`,
        );
      }
    }
    const lastSeen = this.options.now();
    const added: string[] = [];
    const refreshed: string[] = [];
    for (const name of normalized) {
      let endpoints = this.#services.get(name);
      if (!endpoints) this.#services.set(name, (endpoints = new Map()));
      const isNew = !endpoints.delete(key); // delete + set moves it to the end: newest last
      endpoints.set(key, { host, port, lastSeen });
      if (isNew) {
        this.#entries++;
        added.push(name);
        this.options.onAdded?.({ name, host, port });
      } else {
        refreshed.push(name);
      }
    }
    return { added, refreshed };
  }

  /** Removes `(host, port)` under every name (RPyC semantics). Returns how many entries went. */
  unregister(host: string, port: number): number {
    const key = endpointKey(host, port);
    let removed = 0;
    for (const [name, endpoints] of this.#services) {
      if (endpoints.delete(key)) {
        removed++;
        this.#removed(name, endpoints, { name, host, port, reason: "unregistered" });
      }
    }
    return removed;
  }

  /** Endpoints registered under `name` (any case), oldest first, stale ones pruned first. */
  query(name: string): Endpoint[] {
    const normalized = normalizeName(name, this.options.limits);
    const endpoints = this.#services.get(normalized);
    if (!endpoints) return [];
    this.#pruneName(normalized, endpoints, this.options.now() - this.options.pruneTimeoutMs);
    return [...endpoints.values()];
  }

  /** Every name with at least one live endpoint, optionally only those with an endpoint on `host`. */
  list(filterHost: string | null = null): string[] {
    this.prune();
    const names: string[] = [];
    for (const [name, endpoints] of this.#services) {
      if (filterHost === null || [...endpoints.values()].some((e) => e.host === filterHost))
        names.push(name);
    }
    return names.sort();
  }

  /** Removes every entry not refreshed within `pruneTimeoutMs`. Returns how many went. */
  prune(): number {
    const cutoff = this.options.now() - this.options.pruneTimeoutMs;
    let removed = 0;
    for (const [name, endpoints] of this.#services)
      removed += this.#pruneName(name, endpoints, cutoff);
    return removed;
  }

  #pruneName(name: string, endpoints: Map<string, Endpoint>, cutoff: number): number {
    let removed = 0;
    // Oldest first, so stop at the first live one.
    for (const [key, endpoint] of endpoints) {
      if (endpoint.lastSeen > cutoff) break;
      endpoints.delete(key);
      removed++;
      this.#removed(name, endpoints, {
        name,
        host: endpoint.host,
        port: endpoint.port,
        reason: "pruned",
      });
    }
    return removed;
  }

  #removed(name: string, endpoints: Map<string, Endpoint>, change: RegistryChange): void {
    this.#entries--;
    if (endpoints.size === 0) this.#services.delete(name);
    this.options.onRemoved?.(change);
  }
}
