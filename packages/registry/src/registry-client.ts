/**
 * The client API every registry backend offers (UDP, TCP, Redis), and its implementation over
 * the registry wire format. Transports (udp-registry-client.ts, tcp-registry-client.ts) supply
 * only the exchange of one request for one reply.
 */
import { randomInt } from "node:crypto";
import { ListingDisabledError, RegistryError } from "./errors.ts";
import { DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from "./limits.ts";
import type { Endpoint } from "./registry-table.ts";
import { checkPort, normalizeName, normalizeNames } from "./registry-table.ts";
import { encodeRequest, type RegistryReply, type RegistryRequest } from "./registry-wire.ts";

/**
 * What a registry client does. Structurally, it is also the `registrar` that
 * `serve(service, { registrar })` from @rpyc/transport-tcp accepts.
 *
 * @example
 * const registry: RegistryClient = createUdpRegistryClient({ host: "127.0.0.1" });
 * await registry.register(["TIME"], 18861);
 * console.log(await registry.discover("time")); // [{ host: "127.0.0.1", port: 18861, lastSeen }]
 */
export interface RegistryClient {
  /**
   * Registers (or refreshes) this host's `port` under every name (upper-cased). Resolves once the
   * registry acknowledged it. Servers call it again before the registry's prune timeout.
   */
  register(names: readonly string[], port: number): Promise<void>;
  /** Removes this host's `port` under every name. Resolves once acknowledged. */
  unregister(port: number): Promise<void>;
  /**
   * Endpoints registered under `name` (any case), oldest registration first; `[]` when nobody
   * registered it (RPyC's client does the same; `connectByService` turns that into a
   * `DiscoveryError`). Rejects with `RegistryUnreachableError` when the registry does not answer.
   */
  discover(name: string): Promise<Endpoint[]>;
  /**
   * Every registered service name, sorted; optionally only those with an endpoint on `filterHost`.
   * Rejects with `ListingDisabledError` when the registry does not allow listing.
   */
  listServices(filterHost?: string): Promise<string[]>;
}

/** One request out, its reply back; rejects with `RegistryUnreachableError` or `RegistryError`. */
export type RegistryExchange = (
  request: RegistryRequest,
  bytes: Uint8Array,
  subject: string,
) => Promise<RegistryReply>;

/** @internal Shared by the UDP and TCP clients. */
export class WireRegistryClient implements RegistryClient {
  constructor(
    readonly exchange: RegistryExchange,
    readonly limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS,
    readonly now: () => number = Date.now,
  ) {}

  async register(names: readonly string[], port: number): Promise<void> {
    const normalized = normalizeNames(names, this.limits);
    await this.#call(
      { id: newId(), command: "REGISTER", names: normalized, port: checkPort(port) },
      normalized.join(","),
    );
  }

  async unregister(port: number): Promise<void> {
    await this.#call({ id: newId(), command: "UNREGISTER", port: checkPort(port) }, `port ${port}`);
  }

  async discover(name: string): Promise<Endpoint[]> {
    const normalized = normalizeName(name, this.limits);
    const result = await this.#call(
      { id: newId(), command: "QUERY", name: normalized },
      normalized,
    );
    if (!Array.isArray(result)) throw badReply("QUERY", "the endpoint list is not an array");
    const now = this.now();
    return result.map((item: unknown) => {
      if (
        !Array.isArray(item) ||
        typeof item[0] !== "string" ||
        !Number.isInteger(item[1]) ||
        typeof item[2] !== "number"
      ) {
        throw badReply("QUERY", "an endpoint is not [host, port, ageMs]");
      }
      return { host: item[0], port: item[1] as number, lastSeen: now - item[2] };
    });
  }

  async listServices(filterHost?: string): Promise<string[]> {
    const result = await this.#call(
      { id: newId(), command: "LIST", filterHost: filterHost ?? null },
      "*",
    );
    if (!Array.isArray(result) || !result.every((n) => typeof n === "string")) {
      throw badReply("LIST", "the name list is not an array of strings");
    }
    return result;
  }

  async #call(request: RegistryRequest, subject: string): Promise<unknown> {
    const bytes = encodeRequest(request);
    if (bytes.length > this.limits.maxRequestBytes) {
      throw new RegistryError(
        "RPYC_ERR_REGISTRY_BAD_REQUEST",
        `${request.command} request of ${bytes.length} bytes exceeds maxRequestBytes ${this.limits.maxRequestBytes} (use fewer or shorter names)`,
      );
    }
    const reply = await this.exchange(request, bytes, subject);
    if (reply.ok) return reply.result;
    if (reply.code === "RPYC_ERR_LISTING_DISABLED") throw new ListingDisabledError();
    throw new RegistryError(
      reply.code,
      `the registry refused ${request.command}: ${reply.message}`,
    );
  }
}

function badReply(command: string, what: string): RegistryError {
  return new RegistryError(
    "RPYC_ERR_REGISTRY_PROTOCOL",
    `invalid ${command} reply from the registry: ${what}`,
  );
}

/** A random request id: replies are matched on it (and, for unicast, on the source address). */
function newId(): number {
  return randomInt(0, 0xffff_ffff);
}
