/**
 * Opening the client socket: TCP, TLS or a Unix socket path, with RPyC's retry rule (retry on a
 * connect *timeout* only, after a short randomised exponential backoff; any other failure, such
 * as a refused connection, fails at once).
 */
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { ConnectError, TlsError } from "./errors.ts";

/**
 * Client TLS settings. Hostname verification is always on (set `servername` to choose the name).
 *
 * @example
 * await connect("rpyc.example.com", 18821, { tls: { ca: readFileSync("ca.pem") } });
 */
export interface ClientTlsOptions {
  /** Trusted CA certificate(s), PEM. Default: Node's bundled root CAs. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Name the server certificate must match (and the SNI sent). Default: the host connected to. */
  readonly servername?: string;
  /** Client certificate and key, PEM, for servers that request one. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

/**
 * How the client socket is opened (shared by `connect` and `connectUnix`).
 *
 * @example
 * await connect("10.0.0.2", 18861, { connectTimeoutMs: 1000, attempts: 3, keepAlive: true });
 */
export interface SocketOptions {
  /** Per-attempt connect timeout in ms. Default `DEFAULT_CONNECT_TIMEOUT_MS` (3000, like RPyC). */
  readonly connectTimeoutMs?: number;
  /** Attempts in all when attempts time out. Default `DEFAULT_CONNECT_ATTEMPTS` (6, like RPyC). */
  readonly attempts?: number;
  /** `true` (60 s idle, like RPyC) or the idle delay in ms before keepalive probes. Default off. */
  readonly keepAlive?: boolean | number;
  /** TLS: `true` for the defaults, or the settings. Default: plain TCP. */
  readonly tls?: boolean | ClientTlsOptions;
  /** Address family when resolving `host`: 4, 6 or 0 (either). Default 0. */
  readonly family?: 0 | 4 | 6;
}

/**
 * Default per-attempt connect timeout: 3 s (RPyC's `SocketStream.connect`).
 *
 * @example
 * await connect(host, port, { connectTimeoutMs: 2 * DEFAULT_CONNECT_TIMEOUT_MS });
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/**
 * Default number of connect attempts when they time out: 6 (RPyC's `socket_backoff_connect`).
 *
 * @example
 * await connect(host, port, { attempts: DEFAULT_CONNECT_ATTEMPTS + 4 });
 */
export const DEFAULT_CONNECT_ATTEMPTS = 6;
/**
 * Keepalive idle delay used for `keepAlive: true`: 60 s (RPyC's KEEPIDLE).
 *
 * @example
 * await connect(host, port, { keepAlive: DEFAULT_KEEPALIVE_MS / 2 });
 */
export const DEFAULT_KEEPALIVE_MS = 60_000;

export type Endpoint = { readonly host: string; readonly port: number } | { readonly path: string };

/** Opens a socket to `endpoint`, retrying timed-out attempts; resolves once it is connected. */
export async function openSocket(endpoint: Endpoint, options: SocketOptions): Promise<Socket> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_CONNECT_ATTEMPTS);
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  for (let collisions = 0; ; collisions++) {
    try {
      const socket = await attempt(endpoint, options, timeoutMs);
      configureSocket(socket, options.keepAlive);
      return socket;
    } catch (error) {
      if (!(error instanceof AttemptTimeout)) throw error;
      if (collisions + 1 >= attempts) {
        throw new ConnectError(
          "RPYC_ERR_CONNECT_TIMEOUT",
          `could not connect to ${describeEndpoint(endpoint)}: ${attempts} attempts timed out after ` +
            `${timeoutMs} ms each (is the host reachable? raise connectTimeoutMs or attempts)`,
        );
      }
      await delay(backoffMs(collisions));
    }
  }
}

/** Sets TCP_NODELAY (every rpyc frame is a whole message) and the keepalive option. */
export function configureSocket(socket: Socket, keepAlive: boolean | number | undefined): void {
  socket.setNoDelay(true);
  if (keepAlive) socket.setKeepAlive(true, keepAlive === true ? DEFAULT_KEEPALIVE_MS : keepAlive);
}

class AttemptTimeout extends Error {}

function attempt(endpoint: Endpoint, options: SocketOptions, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const tls = options.tls;
    let socket: Socket | TLSSocket;
    const readyEvent = tls ? "secureConnect" : "connect";
    if (tls) {
      const settings: ClientTlsOptions = tls === true ? {} : tls;
      const host = "host" in endpoint ? endpoint.host : "localhost";
      // `family` reaches net.connect through tls.connect (not in the TLS option types).
      const tlsOptions: ConnectionOptions & { family?: number } = {
        ...("path" in endpoint ? { path: endpoint.path } : { host, port: endpoint.port }),
        ca: settings.ca as ConnectionOptions["ca"],
        cert: settings.cert,
        key: settings.key,
        rejectUnauthorized: true,
        family: options.family ?? 0,
      };
      const servername = settings.servername ?? (isIP(host) ? undefined : host);
      if (servername !== undefined) tlsOptions.servername = servername;
      socket = tlsConnect(tlsOptions);
    } else {
      socket = netConnect(
        "path" in endpoint
          ? { path: endpoint.path }
          : { host: endpoint.host, port: endpoint.port, family: options.family ?? 0 },
      );
    }
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new AttemptTimeout());
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      cleanup();
      socket.destroy();
      reject(toConnectError(error, endpoint, options));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off("error", onError);
    };
    socket.once(readyEvent, onReady);
    socket.once("error", onError);
  });
}

/** Node's TLS and socket errors, turned into coded errors that say what to do. */
function toConnectError(
  error: NodeJS.ErrnoException,
  endpoint: Endpoint,
  options: SocketOptions,
): Error {
  const where = describeEndpoint(endpoint);
  const code = error.code ?? "";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new TlsError(
      "RPYC_ERR_TLS_HOSTNAME",
      `TLS: the certificate of ${where} does not match the expected host name (${error.message}); ` +
        "connect with the name in the certificate, or set tls.servername",
      { cause: error },
    );
  }
  if (
    /CERT|SIGNATURE|ISSUER|SELF_SIGNED/.test(code) ||
    (options.tls && /certificate/i.test(error.message))
  ) {
    return new TlsError(
      "RPYC_ERR_TLS_CERTIFICATE",
      `TLS: the certificate of ${where} is not trusted (${code || error.message}); ` +
        "pass the CA that signed it as tls.ca",
      { cause: error },
    );
  }
  if (options.tls && /SSL|TLS|alert/i.test(`${code} ${error.message}`)) {
    return new TlsError("RPYC_ERR_TLS", `TLS handshake with ${where} failed: ${error.message}`, {
      cause: error,
    });
  }
  const hint =
    code === "ECONNREFUSED" || code === "ENOENT"
      ? " (is the server running and listening there?)"
      : code === "ENOTFOUND"
        ? " (check the host name)"
        : "";
  return new ConnectError(
    "RPYC_ERR_CONNECT",
    `could not connect to ${where}: ${code || error.message}${hint}`,
    { cause: error },
  );
}

/** `host:port`, `[::1]:port` or `unix:/path`, for messages. */
export function describeEndpoint(endpoint: Endpoint): string {
  if ("path" in endpoint) return `unix:${endpoint.path}`;
  return isIP(endpoint.host) === 6
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

/**
 * RPyC's `exp_backoff` (Peterson & Davie, Computer Networks 5th ed. p. 127): a random wait in
 * [0, 2^n) slots of 51.2 µs, so clients that collided spread out.
 */
function backoffMs(collisions: number): number {
  const n = Math.min(collisions, 16);
  const adjust = n > 3 ? 1 : 0;
  return Math.random() * (2 ** n - adjust) * 0.0512;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
