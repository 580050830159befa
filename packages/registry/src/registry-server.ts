/**
 * A running registry: the table, its counters and events, and the request handler shared by
 * the UDP and TCP listeners (serve-registry.ts binds the sockets).
 */
import { EventEmitter } from "node:events";
import { RegistryError } from "./errors.ts";
import type { RegistryLimits } from "./limits.ts";
import { type RegistryChange, RegistryTable } from "./registry-table.ts";
import {
  decodeRequest,
  encodeReply,
  type RegistryReply,
  type RegistryRequest,
  type RejectReason,
  type WireEndpoint,
} from "./registry-wire.ts";

/**
 * Counters of everything the registry received; read them with `server.stats()`.
 *
 * @example
 * const { malformed, oversize, unknownCommand } = registry.stats();
 */
export interface RegistryStats {
  /** Datagrams or TCP frames received (oversize TCP frames count when their prefix arrives). */
  received: number;
  /** Replies sent (OK or coded error). */
  answered: number;
  /** Dropped unanswered: larger than `maxRequestBytes`. */
  oversize: number;
  /** Dropped unanswered: not CBOR, bad magic or version, bad argument types. */
  malformed: number;
  /** Dropped unanswered: a well-formed message with a command the registry does not know. */
  unknownCommand: number;
  /** Answered with a coded error (bad name or port, listing disabled, table full). */
  rejected: number;
  /** Replies cut to fit the reply size limit (oldest endpoints dropped). */
  truncated: number;
  /** Socket-level errors (failed sends, aborted TCP connections); the registry keeps serving. */
  socketErrors: number;
  /** Entries currently held. */
  entries: number;
}

/**
 * Emitted for every REGISTER, new or refresh: what re-registration tests and the CLI await.
 *
 * @example
 * registry.on("registered", (e) => console.log(e.names, e.added.length ? "new" : "refresh"));
 */
export interface RegistrationEvent {
  readonly names: readonly string[];
  readonly host: string;
  readonly port: number;
  /** Names newly added by this request (the rest were refreshed). */
  readonly added: readonly string[];
}

/**
 * A request the registry dropped without answering.
 *
 * @example
 * registry.on("dropped", (d) => console.warn(`dropped ${d.reason} from ${d.host}: ${d.detail}`));
 */
export interface DroppedEvent {
  readonly reason: RejectReason;
  readonly detail: string;
  readonly host: string;
}

/**
 * Events of a `RegistryServer`.
 *
 * @example
 * registry.on("removed", (c) => console.log(`- ${c.name} ${c.host}:${c.port} (${c.reason})`));
 */
export interface RegistryServerEvents {
  /** A (name, endpoint) pair appeared (RPyC's `on_service_added`: new entries, not refreshes). */
  added: [RegistryChange];
  /** A pair went away: unregistered or pruned (RPyC's `on_service_removed`). */
  removed: [RegistryChange];
  registered: [RegistrationEvent];
  dropped: [DroppedEvent];
}

/** Settings a `RegistryServer` runs with (every field resolved). */
export interface RegistryServerSettings {
  readonly mode: "udp" | "tcp";
  readonly pruneTimeoutMs: number;
  readonly allowListing: boolean;
  readonly limits: RegistryLimits;
  readonly now: () => number;
}

/**
 * A registry server. Created by `serveRegistry`; listen to its events for logging.
 *
 * @example
 * const registry = await serveRegistry({ mode: "udp", port: 0 });
 * registry.on("added", (c) => console.log(`${c.name} at ${c.host}:${c.port}`));
 * console.log(registry.stats().entries);
 * await registry.close();
 */
export class RegistryServer extends EventEmitter<RegistryServerEvents> {
  readonly mode: "udp" | "tcp";
  /** Bound address and port (the real port when 0 was asked). Set once listening. */
  host = "";
  port = 0;
  readonly #settings: RegistryServerSettings;
  readonly #table: RegistryTable;
  readonly #stats: Omit<RegistryStats, "entries">;
  #closer: (() => Promise<void>) | undefined;
  #closing: Promise<void> | undefined;

  /** @internal Use `serveRegistry`. */
  constructor(settings: RegistryServerSettings) {
    super();
    this.mode = settings.mode;
    this.#settings = settings;
    this.#stats = {
      received: 0,
      answered: 0,
      oversize: 0,
      malformed: 0,
      unknownCommand: 0,
      rejected: 0,
      truncated: 0,
      socketErrors: 0,
    };
    this.#table = new RegistryTable({
      pruneTimeoutMs: settings.pruneTimeoutMs,
      limits: settings.limits,
      now: settings.now,
      onAdded: (change) => this.emit("added", change),
      onRemoved: (change) => this.emit("removed", change),
    });
  }

  /** The limits this registry enforces. */
  get limits(): RegistryLimits {
    return this.#settings.limits;
  }

  /** How long a registration lives without a refresh. */
  get pruneTimeoutMs(): number {
    return this.#settings.pruneTimeoutMs;
  }

  /** Whether LIST requests are answered. */
  get allowListing(): boolean {
    return this.#settings.allowListing;
  }

  /** A copy of the counters. */
  stats(): RegistryStats {
    return { ...this.#stats, entries: this.#table.size };
  }

  /** Removes stale entries now (a timer also does it; see `pruneIntervalMs`). Returns how many. */
  prune(): number {
    return this.#table.prune();
  }

  /** Stops listening, stops the prune timer, drops every connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#closer?.() ?? Promise.resolve();
    return this.#closing;
  }

  /** @internal The listener's shutdown, set by `serveRegistry`. */
  setCloser(closer: () => Promise<void>): void {
    this.#closer = closer;
  }

  /** @internal Counts a socket-level failure. */
  countSocketError(): void {
    this.#stats.socketErrors++;
  }

  /** @internal Counts a request dropped before it could be decoded (an oversize TCP prefix). */
  countDropped(reason: RejectReason, detail: string, host: string): void {
    this.#stats.received++;
    this.#drop(reason, detail, host);
  }

  /**
   * @internal Handles one request from `sourceHost`; returns the reply bytes, or `undefined`
   * when the request is dropped. Never throws.
   */
  handle(bytes: Uint8Array, sourceHost: string, maxReplyBytes: number): Uint8Array | undefined {
    this.#stats.received++;
    const decoded = decodeRequest(bytes, this.#settings.limits);
    if (decoded.kind !== "request") {
      this.#drop(decoded.kind, decoded.detail, sourceHost);
      return undefined;
    }
    const reply = this.#execute(decoded.request, sourceHost);
    if (!reply.ok) this.#stats.rejected++;
    const { bytes: out, truncated } = encodeReply(reply, maxReplyBytes);
    if (truncated) this.#stats.truncated++;
    this.#stats.answered++;
    return out;
  }

  #drop(reason: RejectReason, detail: string, host: string): void {
    if (reason === "oversize") this.#stats.oversize++;
    else if (reason === "malformed") this.#stats.malformed++;
    else this.#stats.unknownCommand++;
    this.emit("dropped", { reason, detail, host });
  }

  #execute(request: RegistryRequest, host: string): RegistryReply {
    const { id } = request;
    try {
      switch (request.command) {
        case "REGISTER": {
          const { added } = this.#table.register(request.names, host, request.port);
          const names = request.names.map((n) => n.toUpperCase());
          this.emit("registered", { names: [...new Set(names)], host, port: request.port, added });
          return { id, ok: true, result: this.#settings.pruneTimeoutMs };
        }
        case "UNREGISTER":
          return { id, ok: true, result: this.#table.unregister(host, request.port) };
        case "QUERY": {
          const now = this.#settings.now();
          const endpoints = this.#table.query(request.name);
          const result: WireEndpoint[] = endpoints.map((e) => [
            e.host,
            e.port,
            Math.max(0, now - e.lastSeen),
          ]);
          return { id, ok: true, result };
        }
        case "LIST":
          if (!this.#settings.allowListing) {
            return {
              id,
              ok: false,
              code: "RPYC_ERR_LISTING_DISABLED",
              message: "listing is disabled on this registry",
            };
          }
          return { id, ok: true, result: this.#table.list(request.filterHost) };
      }
    } catch (err) {
      if (err instanceof RegistryError)
        return { id, ok: false, code: err.code, message: err.message };
      // NOTE: a listener that throws from an "added"/"removed" event lands here; the registry
      // answers with an internal error instead of crashing.
      return {
        id,
        ok: false,
        code: "RPYC_ERR_REGISTRY_INTERNAL",
        message: `internal error: ${String(err)}`,
      };
    }
  }
}
