/**
 * Client side: `connect(host, port)` and `connectUnix(path)` open a socket (TCP, TLS or Unix),
 * then run the rpyc handshake over it with core's `connectStream`.
 */
import type { Socket } from "node:net";
import {
  connectDialing,
  createStreamTransport,
  streamOptionsOf,
  type Connection,
  type StreamBounds,
  type ConnectOptions as CoreConnectOptions,
} from "@rpyc/core";
import { AuthenticationError, ConnectError, TlsError } from "./errors.ts";
import { describeEndpoint, openSocket, type Endpoint, type SocketOptions } from "./open-socket.ts";

/**
 * Options of `connect()`/`connectUnix()`: core's connection options plus the socket's.
 *
 * @example
 * await connect("localhost", 18861, { service: ClientService, tls: { ca }, attempts: 1 });
 */
export interface ConnectOptions extends CoreConnectOptions, SocketOptions, StreamBounds {
  /**
   * The client half of a server's `authenticator`: runs on the open socket (after TLS) before
   * the rpyc handshake, e.g. to write credentials the server's authenticator reads. Whatever it
   * leaves unread stays for the handshake. A throw closes the socket and rejects `connect`.
   */
  readonly beforeHandshake?: (socket: Socket) => void | Promise<void>;
}

/**
 * Connects to an rpyc-ts server over TCP (or TLS with `tls`). Resolves after the handshake.
 *
 * @example
 * const conn = await connect("localhost", 18861);
 * console.log(await conn.root.getTime());
 * await conn.close();
 */
export function connect(
  host: string,
  port: number,
  options: ConnectOptions = {},
): Promise<Connection> {
  return connectTo({ host, port }, options);
}

/**
 * Connects to an rpyc-ts server listening on a Unix socket path.
 *
 * @example
 * const server = await serve(TimeService, { path: "/tmp/time.sock" });
 * const conn = await connectUnix("/tmp/time.sock");
 */
export function connectUnix(path: string, options: ConnectOptions = {}): Promise<Connection> {
  return connectTo({ path }, options);
}

async function connectTo(endpoint: Endpoint, options: ConnectOptions): Promise<Connection> {
  const socket: Socket = await openSocket(endpoint, options);
  let first: Socket | undefined = socket;
  // The first dial is the socket above; a reconnecting connection redials the same endpoint.
  const dial = async () => {
    let next = first;
    first = undefined;
    if (next === undefined) {
      next = await openSocket(endpoint, options);
      await options.beforeHandshake?.(next);
    }
    return createStreamTransport(next, streamOptionsOf(options));
  };
  try {
    await options.beforeHandshake?.(socket);
    return await connectDialing(dial, {
      service: options.service,
      config: options.config,
      reconnect: options.reconnect,
    });
  } catch (error) {
    socket.destroy();
    throw refusal(error) ?? tlsFailure(error) ?? notRpyc(error, endpoint) ?? error;
  }
}

/** A server refusal (its `Close` with an auth or limit code) as an `AuthenticationError`. */
function refusal(error: unknown): AuthenticationError | undefined {
  const code = (error as { code?: unknown }).code;
  if (code !== "RPYC_ERR_AUTHENTICATION" && code !== "RPYC_ERR_TOO_MANY_CONNECTIONS")
    return undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new AuthenticationError(code, `the server refused the connection: ${message}`, {
    cause: error,
  });
}

/**
 * A TLS alert during the rpyc handshake (TLS 1.3 servers check the client certificate after the
 * client considers the handshake done) as a `TlsError` that says what to do.
 */
function tlsFailure(error: unknown): TlsError | undefined {
  let cause: unknown = error;
  while (
    cause instanceof Error &&
    !String((cause as { code?: unknown }).code).startsWith("ERR_SSL_")
  ) {
    cause = cause.cause;
  }
  if (!(cause instanceof Error)) return undefined;
  const code = String((cause as { code?: unknown }).code);
  if (code.includes("CERTIFICATE_REQUIRED")) {
    return new TlsError(
      "RPYC_ERR_TLS_CLIENT_CERTIFICATE",
      "TLS: the server requires a client certificate; pass tls.cert and tls.key",
      { cause },
    );
  }
  return new TlsError("RPYC_ERR_TLS", `TLS failed during the handshake: ${cause.message}`, {
    cause,
  });
}

/** Bytes that are not framed rpyc during the handshake: the port serves something else. */
const NOT_RPYC_CODES = new Set([
  "RPYC_ERR_NOT_RPYC",
  "RPYC_ERR_FRAME_TOO_LARGE",
  "RPYC_ERR_MALFORMED",
  "RPYC_ERR_TRUNCATED_FRAME",
]);

function notRpyc(error: unknown, endpoint: Endpoint): ConnectError | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !NOT_RPYC_CODES.has(code)) return undefined;
  const detail = code === "RPYC_ERR_NOT_RPYC" ? (error as Error).message : code;
  return new ConnectError(
    "RPYC_ERR_NOT_RPYC",
    `${describeEndpoint(endpoint)} answered with something that is not rpyc-ts (${detail}); ` +
      "is it the right port, and does the server use TLS (pass tls)?",
    { cause: error },
  );
}
