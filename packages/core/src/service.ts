/**
 * `Service`: the object a side exposes to its peer as `conn.root` (RPyC's Service).
 *
 * - Exposed: public methods and accessors declared on the subclass's own class chain (below
 *   `Service`); not "_"-prefixed names, not `#private` members, not the lifecycle members
 *   `onConnect`, `onDisconnect` and `connection`. A Service always refuses set and delete from
 *   the wire, whatever the config (like RPyC's root).
 * - Name: the class name without a trailing "Service", upper-cased (`EchoService` → "ECHO"),
 *   unless the class sets `static serviceName`; `static aliases` lists other names.
 * - Lifetime: a class given as `options.service` is instantiated once per connection (and
 *   `this.connection` is that connection, set before `onConnect`); an instance given is shared
 *   by every connection it serves (use the `conn` argument of the hooks, or `currentCall()`).
 */
import { EXPOSURE_BOUNDARY } from "@rpyc/netref";
import type { Connection } from "./connection.ts";
import { RpycError } from "./errors.ts";

const LIFECYCLE = Object.freeze(["onConnect", "onDisconnect", "connection"]);
const connections = new WeakMap<Service, Connection>();

/**
 * Base class of services.
 *
 * @example
 * class EchoService extends Service {
 *   echo(x: unknown) { return x; }
 *   override onConnect(conn: Connection) { console.log("hello", conn.peerService); }
 * }
 * const [client, server] = await connectPair({}, { service: EchoService });
 */
export class Service {
  /** Other names the service answers to (RPyC's ALIASES). */
  static aliases: readonly string[] = [];
  /** Overrides the name derived from the class name. */
  static serviceName: string | undefined = undefined;

  /** Ends the access policy's walk: nothing declared here (or above) is exposed. */
  get [EXPOSURE_BOUNDARY](): readonly string[] {
    return LIFECYCLE;
  }

  /**
   * The connection of a per-connection service instance (a class given as `options.service`).
   * Throws for a shared instance: use the hooks' `conn` argument or `currentCall().connection`.
   */
  get connection(): Connection {
    const conn = connections.get(this);
    if (conn === undefined) {
      throw new RpycError(
        "RPYC_ERR_NO_CONNECTION",
        "this service instance is shared by several connections (or not connected); use onConnect(conn) or currentCall().connection",
      );
    }
    return conn;
  }

  /** Called once the handshake is done, before `connect*` resolves. May be async. */
  onConnect(_conn: Connection): void | Promise<void> {}

  /** Called once when the connection closes. Must not do I/O on `conn`. */
  onDisconnect(_conn: Connection): void {}
}

/**
 * A service that exposes nothing: the default local service of a client.
 *
 * @example
 * await connectStream(socket, { service: VoidService });
 */
export class VoidService extends Service {}

/**
 * The name a service class announces ("EchoService" → "ECHO").
 *
 * @example
 * serviceNameOf(EchoService); // "ECHO"
 */
export function serviceNameOf(cls: Function): string {
  const explicit = (cls as { serviceName?: unknown }).serviceName;
  if (typeof explicit === "string" && explicit !== "") return explicit.toUpperCase();
  const base =
    cls.name.endsWith("Service") && cls.name !== "Service"
      ? cls.name.slice(0, -"Service".length)
      : cls.name;
  return (base === "" ? "ANONYMOUS" : base).toUpperCase();
}

/** The aliases a service class announces (upper-cased). */
export function serviceAliasesOf(cls: Function): string[] {
  const aliases = (cls as { aliases?: unknown }).aliases;
  return Array.isArray(aliases)
    ? aliases.filter((a): a is string => typeof a === "string").map((a) => a.toUpperCase())
    : [];
}

/** Binds a per-connection instance to its connection (internal). */
export function bindServiceConnection(service: object, conn: Connection): void {
  if (service instanceof Service) connections.set(service, conn);
}
