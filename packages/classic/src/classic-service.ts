/**
 * `ClassicService`: the root a classic server exposes. Before authentication it offers exactly
 * one method, `authenticate(token)`, which returns the connection's `ClassicSession` (by
 * reference) or refuses and closes the connection. Nothing of classic mode is reachable any
 * other way: a plain `Service`, whatever its config, has none of it (it lives in this package
 * only, and the session exists only once a token matched).
 */
import { Service, type Connection, type ConnectionConfig } from "@rpyc/core";
import { ClassicAuthenticationError } from "./errors.ts";
import { ClassicSession, type AuditEntry, type AuditLog } from "./classic-session.ts";
import { writeServerStderr } from "./stdio-redirect.ts";
import { tokensEqual } from "./token.ts";

/**
 * How long a client may stay connected without authenticating: 10 s.
 *
 * @example
 * createClassicService({ token, authTimeoutMs: DEFAULT_AUTH_TIMEOUT_MS / 2 });
 */
export const DEFAULT_AUTH_TIMEOUT_MS = 10_000;

/**
 * The connection config of a classic server's connections: RPyC's classic config (every
 * attribute reachable, set and delete allowed) — the session runs any code anyway. The
 * always-blocked names (`constructor`, `__proto__`…) stay blocked.
 *
 * @example
 * await connectPair({}, { service: createClassicService({ token }), config: CLASSIC_SERVER_CONFIG });
 */
export const CLASSIC_SERVER_CONFIG: Partial<ConnectionConfig> = Object.freeze({
  allowPublicAttrs: true,
  allowAllAttrs: true,
  allowSetAttr: true,
  allowDelAttr: true,
});

/**
 * Options of `createClassicService`.
 *
 * @example
 * createClassicService({ token: generateToken(), audit: (e) => log.info(e) });
 */
export interface ClassicServiceOptions {
  /**
   * The token clients must present. `false` means none, for transports that are private
   * already (a 0600 unix socket, stdio, a subprocess). Required: with neither, every client is
   * refused.
   */
  readonly token?: string | false;
  /** Where eval/execute/teleport/getModule and (refused) authentications are logged. Default: stderr. */
  readonly audit?: AuditLog;
  /** Who the peer is, for the audit log. Default: `conn.credentials`' address, else "peer". */
  readonly describePeer?: (conn: Connection) => string;
  /** Time allowed before `authenticate`. Default `DEFAULT_AUTH_TIMEOUT_MS`. */
  readonly authTimeoutMs?: number;
}

/**
 * The default audit log: one line per entry on the server's stderr (never redirected).
 *
 * @example
 * stderrAudit({ action: "eval", peer: "127.0.0.1:50312", detail: "1 + 1" });
 */
export function stderrAudit(entry: AuditEntry): void {
  writeServerStderr(`${new Date().toISOString()} ${auditLine(entry)}\n`);
}

/**
 * One audit entry as a log line (no timestamp); sources longer than 500 characters are cut.
 *
 * @example
 * auditLine({ action: "eval", peer: "stdio", detail: "1 + 1" }); // 'rpyc-classic stdio eval: "1 + 1"'
 */
export function auditLine(entry: AuditEntry): string {
  const detail = entry.detail.length > 500 ? `${entry.detail.slice(0, 500)}…` : entry.detail;
  return `rpyc-classic ${entry.peer} ${entry.action}: ${JSON.stringify(detail)}`;
}

function defaultPeer(conn: Connection): string {
  const credentials = conn.credentials as { address?: unknown } | undefined;
  return typeof credentials?.address === "string" ? credentials.address : "peer";
}

/**
 * The classic root. Use `createClassicService` to give it a token; a bare `ClassicService`
 * refuses everyone.
 *
 * @example
 * const Classic = createClassicService({ token });
 * await serve(Classic, { config: CLASSIC_SERVER_CONFIG });
 */
export class ClassicService extends Service {
  static override serviceName = "CLASSIC";
  readonly #options: ClassicServiceOptions;
  #session: ClassicSession | undefined;
  #conn: Connection | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ClassicServiceOptions = {}) {
    super();
    this.#options = options;
  }

  override onConnect(conn: Connection): void {
    this.#conn = conn;
    if (this.#session !== undefined) return;
    const ms = this.#options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
    this.#timer = setTimeout(() => {
      this.#refuse(conn, `no authentication within ${ms} ms`);
    }, ms);
  }

  override onDisconnect(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#session?.dispose();
  }

  /**
   * Checks `token` (in constant time) and returns this connection's session. A refusal throws
   * `ClassicAuthenticationError` and closes the connection: one attempt per connection.
   */
  authenticate(token?: string): ClassicSession {
    const conn = this.#conn ?? this.connection;
    if (this.#session !== undefined) return this.#session;
    const expected = this.#options.token;
    const ok = expected === false || (typeof expected === "string" && tokensEqual(expected, token));
    if (!ok) {
      const why =
        expected === undefined
          ? "this classic server has no token configured (create it with a token, or token: false on a private transport)"
          : token === undefined || token === ""
            ? "a token is required (pass --token, --token-file or RPYC_TOKEN)"
            : "the token is wrong";
      this.#refuse(conn, why);
      throw new ClassicAuthenticationError(`classic server refused the connection: ${why}`);
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const peer = (this.#options.describePeer ?? defaultPeer)(conn);
    const audit = this.#options.audit ?? stderrAudit;
    audit({ action: "authenticate", peer, detail: "ok" });
    this.#session = new ClassicSession(peer, audit);
    return this.#session;
  }

  #refuse(conn: Connection, why: string): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const peer = (this.#options.describePeer ?? defaultPeer)(conn);
    (this.#options.audit ?? stderrAudit)({ action: "refuse", peer, detail: why });
    // After the reply of this call has gone out.
    setImmediate(() => void conn.close());
  }
}

/**
 * A `ClassicService` class bound to `options`, to pass as a server's service (one instance per
 * connection, so each client has its own namespace).
 *
 * @example
 * const server = await serve(createClassicService({ token }), { config: CLASSIC_SERVER_CONFIG });
 */
export function createClassicService(options: ClassicServiceOptions): new () => ClassicService {
  return class BoundClassicService extends ClassicService {
    constructor() {
      super(options);
    }
  };
}
