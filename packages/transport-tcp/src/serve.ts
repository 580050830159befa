/**
 * `serve()`: an rpyc-ts server on TCP, TLS or a Unix socket path. Each accepted socket goes
 * through: connection limit → TCP_NODELAY/keepalive → authenticator → rpyc handshake → a live
 * `Connection` in `server.connections`. A socket that fails any step is closed; the server and
 * its other connections keep working.
 */
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import {
  connectTransport,
  createStreamTransport,
  streamOptionsOf,
  type StreamBounds,
  type Connection,
  type ConnectOptions,
  type ServiceSpec,
  closeGracefully,
  waitAtMost,
} from "@rpyc/core";
import { AuthenticationError } from "./errors.ts";
import { configureSocket } from "./open-socket.ts";
import {
  DEFAULT_REGISTER_INTERVAL_MS,
  startRegistration,
  type Registrar,
  type Registration,
} from "./registration.ts";
import { rejectSocket } from "./reject-socket.ts";
import { serviceNames } from "./service-names.ts";

/**
 * Server TLS settings (PEM strings or Buffers).
 *
 * @example
 * await serve(EchoService, { tls: { key: readFileSync("key.pem"), cert: readFileSync("cert.pem") } });
 */
export interface ServerTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** CAs trusted for client certificates (with `requestCert`). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Ask for a client certificate and refuse clients without a valid one. Default false. */
  readonly requestCert?: boolean;
}

/**
 * Decides whether a client may connect, before the rpyc handshake. Return the credentials the
 * service will see as `conn.credentials`; throw (or reject) to refuse: the client gets an
 * `AuthenticationError` (`RPYC_ERR_AUTHENTICATION`). Throw an `AuthenticationError` to send its
 * message to the client; any other error's message stays on the server (`onError`). A TLS
 * socket is already secured (use `socket.getPeerCertificate()`).
 *
 * @example
 * const authenticator: Authenticator = (socket) => (socket as TLSSocket).getPeerCertificate().subject.CN;
 */
export type Authenticator = (socket: Socket) => unknown;

/**
 * Options of `serve()`; every option of core's `connectTransport` but `service` applies to each connection.
 *
 * @example
 * await serve(EchoService, { host: "0.0.0.0", port: 18861, maxConnections: 100 });
 */
export interface ServeOptions extends Omit<ConnectOptions, "service">, StreamBounds {
  /** Address to bind. Default "127.0.0.1" (not every interface; pass "0.0.0.0" or "::" for that). */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (read it from `server.port`). Default 0. */
  readonly port?: number;
  /** Unix socket path to listen on instead of host/port. */
  readonly path?: string;
  /** Listen on IPv6 only when `host` is "::". Default false. */
  readonly ipv6Only?: boolean;
  readonly backlog?: number;
  /** Serve TLS instead of plain TCP. */
  readonly tls?: ServerTlsOptions;
  readonly authenticator?: Authenticator;
  /**
   * Sockets open at once (authenticating, handshaking or connected). A client past it is
   * refused with `RPYC_ERR_TOO_MANY_CONNECTIONS`. Default `DEFAULT_MAX_CONNECTIONS` (1024).
   */
  readonly maxConnections?: number;
  /** TCP keepalive: `true` (60 s idle) or the idle delay in ms. Default off. */
  readonly keepAlive?: boolean | number;
  /** Serve exactly one connection, then close (RPyC's OneShotServer). Default false. */
  readonly oneShot?: boolean;
  /** Time allowed for the authenticator plus the rpyc handshake. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
  /** Keeps the service registered with a registry while the server listens. */
  readonly registrar?: Registrar;
  /** Re-registration interval. Default `DEFAULT_REGISTER_INTERVAL_MS` (60 s). */
  readonly registerIntervalMs?: number;
  /** Receives errors of single sockets (refused, failed handshakes, registry failures). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Options of `server.close()`.
 *
 * @example
 * await server.close({ timeout: 1000 });
 */
export interface CloseOptions {
  /** How long in-flight calls may run before every connection is closed. Default 5000 ms. */
  readonly timeout?: number;
}

/**
 * A listening rpyc-ts server.
 *
 * @example
 * const server: Server = await serve(EchoService);
 * console.log(server.port, server.connections.size);
 */
export interface Server {
  /** Bound address ("127.0.0.1", "::1"…); undefined on a Unix socket. */
  readonly host: string | undefined;
  /** Bound port; 0 on a Unix socket. */
  readonly port: number;
  /** Unix socket path, if listening on one. */
  readonly path: string | undefined;
  /** Live connections (after the handshake); a closed connection leaves the set. */
  readonly connections: ReadonlySet<Connection>;
  /** Sockets open now, including those still authenticating or handshaking. */
  readonly socketCount: number;
  /** Resolves when the server has closed (by `close()`, or after its connection in one-shot mode). */
  readonly closed: Promise<void>;
  /**
   * Stops accepting, unregisters, waits up to `timeout` for in-flight calls, then closes every
   * connection. Resolves when no socket or timer of the server is left. Idempotent.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Default cap on open sockets per server: 1024.
 *
 * @example
 * await serve(EchoService, { maxConnections: DEFAULT_MAX_CONNECTIONS * 4 });
 */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/**
 * Default time for authenticator + handshake: 10 s.
 *
 * @example
 * await serve(EchoService, { handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS / 2 });
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Default grace period of `server.close()` for in-flight calls: 5 s.
 *
 * @example
 * await server.close({ timeout: DEFAULT_CLOSE_TIMEOUT_MS });
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5000;
/** How long a closing server lets peers finish the close of their sockets before cutting them off. */
const CLOSE_LINGER_MS = 1000;

/**
 * Default bind address: loopback only (RPyC binds every interface; we do not unless asked).
 *
 * @example
 * await serve(EchoService, { host: DEFAULT_HOST }); // the same as no host
 */
export const DEFAULT_HOST = "127.0.0.1";

/**
 * Starts an rpyc-ts server; resolves once it listens.
 *
 * @example
 * class TimeService extends Service { getTime() { return Date.now(); } }
 * const server = await serve(TimeService, { port: 0 });
 * console.log(`listening on ${server.host}:${server.port}`);
 * await server.close();
 */
export async function serve(service: ServiceSpec, options: ServeOptions = {}): Promise<Server> {
  const server = new TcpServer(service, options);
  await server.listen();
  return server;
}

class TcpServer implements Server {
  readonly connections = new Set<Connection>();
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  readonly #sockets = new Set<Socket>();
  /** Sockets whose rpyc connection is established (the others have no calls in flight). */
  readonly #connected = new WeakSet<Socket>();
  readonly #netServer: NetServer;
  readonly #service: ServiceSpec;
  readonly #options: ServeOptions;
  #address: AddressInfo | undefined;
  #registration: Registration | undefined;
  #closing: Promise<void> | undefined;
  #accepted = 0;

  constructor(service: ServiceSpec, options: ServeOptions) {
    this.#service = service;
    this.#options = options;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const onSocket = (socket: Socket): void => void this.#accept(socket);
    if (options.tls) {
      const tlsOptions: TlsOptions = {
        key: options.tls.key,
        cert: options.tls.cert,
        ca: options.tls.ca as TlsOptions["ca"],
        requestCert: options.tls.requestCert ?? false,
        rejectUnauthorized: options.tls.requestCert ?? false,
      };
      const tlsServer = createTlsServer(tlsOptions, onSocket);
      // A failed TLS handshake is the client's problem: report it, keep serving.
      tlsServer.on("tlsClientError", (error) => this.#report(error));
      this.#netServer = tlsServer;
    } else {
      this.#netServer = createNetServer(onSocket);
    }
  }

  get host(): string | undefined {
    return this.#options.path === undefined ? this.#address?.address : undefined;
  }
  get port(): number {
    return this.#address?.port ?? 0;
  }
  get path(): string | undefined {
    return this.#options.path;
  }
  get socketCount(): number {
    return this.#sockets.size;
  }

  listen(): Promise<void> {
    const options = this.#options;
    return new Promise<void>((resolve, reject) => {
      const netServer = this.#netServer;
      const onError = (error: Error): void => reject(error);
      netServer.once("error", onError);
      const listening = (): void => {
        netServer.off("error", onError);
        netServer.on("error", (error) => this.#report(error));
        const address = netServer.address();
        if (address && typeof address === "object") this.#address = address;
        this.#startRegistration();
        resolve();
      };
      if (options.path !== undefined) {
        netServer.listen({ path: options.path, backlog: options.backlog }, listening);
      } else {
        netServer.listen(
          {
            host: options.host ?? DEFAULT_HOST,
            port: options.port ?? 0,
            backlog: options.backlog,
            ipv6Only: options.ipv6Only ?? false,
          },
          listening,
        );
      }
    });
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.timeout ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.#closing;
  }

  async #accept(socket: Socket): Promise<void> {
    const options = this.#options;
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    socket.on("error", (error) => this.#report(error));
    if (this.#closing || (options.oneShot && this.#accepted > 0)) {
      socket.destroy();
      return;
    }
    this.#accepted++;
    if (options.oneShot) this.#netServer.close(); // stop accepting: this is the one connection
    const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.#sockets.size > max) {
      rejectSocket(
        socket,
        "RPYC_ERR_TOO_MANY_CONNECTIONS",
        `the server is at its limit of ${max} connections; try again later`,
      );
      return;
    }
    configureSocket(socket, options.keepAlive);
    const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.once("close", () => clearTimeout(timer));
    let credentials: unknown;
    if (options.authenticator) {
      try {
        credentials = await options.authenticator(socket);
      } catch (error) {
        clearTimeout(timer);
        this.#report(error);
        // Only an AuthenticationError's message is meant for the client; any other error may
        // carry server internals, so the client gets a generic reason (onError has the detail).
        const reason =
          error instanceof AuthenticationError
            ? error.message
            : "the server's authenticator refused it";
        rejectSocket(socket, "RPYC_ERR_AUTHENTICATION", `authentication failed: ${reason}`);
        this.#finishOneShot();
        return;
      }
    }
    if (socket.destroyed || this.#closing) {
      clearTimeout(timer);
      socket.destroy();
      this.#finishOneShot();
      return;
    }
    let conn: Connection;
    try {
      const transport = createStreamTransport(socket, streamOptionsOf(options));
      conn = await connectTransport(transport, {
        service: this.#service,
        config: options.config,
        credentials,
      });
    } catch (error) {
      this.#report(error);
      socket.destroy();
      this.#finishOneShot();
      return;
    } finally {
      clearTimeout(timer);
    }
    if (this.#closing) {
      void conn.close();
      return;
    }
    this.connections.add(conn);
    this.#connected.add(socket);
    conn.on("close", (error) => {
      this.connections.delete(conn);
      if (error) this.#report(error); // e.g. RPYC_ERR_SEND_QUEUE_FULL, bad input
      this.#finishOneShot();
    });
  }

  /** In one-shot mode, the server closes once its single connection is over. */
  #finishOneShot(): void {
    if (this.#options.oneShot && this.connections.size === 0) void this.close({ timeout: 0 });
  }

  #startRegistration(): void {
    const registrar = this.#options.registrar;
    if (!registrar || this.#options.path !== undefined) return;
    this.#registration = startRegistration(
      registrar,
      serviceNames(this.#service),
      this.port,
      this.#options.registerIntervalMs ?? DEFAULT_REGISTER_INTERVAL_MS,
      (error) => this.#report(error),
    );
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    const netServer = this.#netServer;
    const stopped = new Promise<void>((resolve) => {
      if (!netServer.listening) resolve();
      else netServer.close(() => resolve());
    });
    const deadline = Date.now() + timeoutMs;
    // Sockets still authenticating or handshaking have no calls in flight: drop them now.
    for (const socket of this.#sockets) if (!this.#connected.has(socket)) socket.destroy();
    if (this.#registration)
      await waitAtMost(this.#registration.stop(), Math.max(deadline - Date.now(), CLOSE_LINGER_MS));
    await closeGracefully([...this.connections], deadline);
    // Each closed connection ends its socket after its last frames; a peer that does not finish
    // the close within the linger is cut off.
    const sockets = [...this.#sockets];
    const allClosed = Promise.all(
      sockets.map((socket) => new Promise((resolve) => socket.once("close", resolve))),
    );
    await waitAtMost(allClosed, CLOSE_LINGER_MS);
    for (const socket of sockets) socket.destroy();
    await allClosed;
    await stopped;
    this.#resolveClosed();
  }

  #report(error: unknown): void {
    this.#options.onError?.(error);
  }
}
