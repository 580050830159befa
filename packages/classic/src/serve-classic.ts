/**
 * `serveClassic`: a classic server on TCP, TLS or a unix socket, with the safety rules of
 * docs/classic.md enforced before anything listens:
 * - TCP needs a token (a unix socket does not: it is created 0600, owner only);
 * - a non-loopback address needs TLS with client certificates (`tls.requestCert` and `tls.ca`),
 *   or `insecure: true`, which prints a warning.
 */
import { chmod } from "node:fs/promises";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { serve, type Server, type ServeOptions } from "@rpyc/transport-tcp";
import { CLASSIC_SERVER_CONFIG, createClassicService } from "./classic-service.ts";
import type { AuditLog } from "./classic-session.ts";
import { UnsafeConfigError } from "./errors.ts";
import { writeServerStderr } from "./stdio-redirect.ts";

/**
 * Options of `serveClassic`: the TCP server's, plus the token and the safety switches.
 *
 * @example
 * await serveClassic({ port: 18812, token: generateToken() });
 */
export interface ServeClassicOptions extends Omit<ServeOptions, "authenticator" | "credentials"> {
  /** Token clients must present. Required on TCP; optional on a unix socket (`path`). */
  readonly token?: string;
  /** Allow a non-loopback address without TLS client certificates (prints a warning). Default false. */
  readonly insecure?: boolean;
  /** Audit log of eval/execute/teleport (default: stderr). */
  readonly audit?: AuditLog;
  /** Time a client has to authenticate. Default 10 s. */
  readonly authTimeoutMs?: number;
}

/**
 * True for addresses only this machine can reach.
 *
 * @example
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0"); // false
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1"
  );
}

/**
 * Throws `UnsafeConfigError` unless `options` meet the safety rules above; returns the warning
 * to print for an `insecure` non-loopback bind.
 *
 * @example
 * checkClassicSafety({ host: "0.0.0.0", token }); // throws
 */
export function checkClassicSafety(options: ServeClassicOptions): string | undefined {
  if (options.path !== undefined) return undefined;
  if (typeof options.token !== "string" || options.token === "") {
    throw new UnsafeConfigError(
      "a classic server on TCP needs a token (generate one with --token-file PATH, or serve a unix socket with --socket PATH)",
    );
  }
  const host = options.host ?? "127.0.0.1";
  if (isLoopback(host)) return undefined;
  const mutualTls = options.tls?.requestCert === true && options.tls.ca !== undefined;
  if (mutualTls) return undefined;
  if (options.insecure !== true) {
    throw new UnsafeConfigError(
      `refusing to serve classic mode (remote code execution) on ${host}: a non-loopback address ` +
        "needs TLS with client certificates (--ssl-keyfile, --ssl-certfile and --ssl-cafile), " +
        "or --insecure if you really mean it",
    );
  }
  return (
    `WARNING: serving classic mode (remote code execution) on ${host} without TLS client ` +
    "certificates (--insecure): anyone who can reach this port and learn the token owns this machine."
  );
}

/**
 * Serves classic mode; resolves once listening.
 *
 * @example
 * const server = await serveClassic({ port: 0, token });
 * console.log(server.host, server.port);
 * await server.close();
 */
export async function serveClassic(options: ServeClassicOptions = {}): Promise<Server> {
  const warning = checkClassicSafety(options);
  if (warning !== undefined) writeServerStderr(`rpyc-classic: ${warning}\n`);
  const { token, insecure: _insecure, audit, authTimeoutMs, ...serveOptions } = options;
  const service = createClassicService({
    token: options.path !== undefined && token === undefined ? false : token,
    audit,
    authTimeoutMs,
  });
  const listen = () =>
    serve(service, {
      ...serveOptions,
      config: { ...CLASSIC_SERVER_CONFIG, ...serveOptions.config },
      authenticator: describeSocket,
    });
  if (options.path === undefined) return listen();
  // The socket file is created owner-only (umask 0177 while it is bound), then chmod 0600.
  const umask = process.umask(0o177);
  let server: Server;
  try {
    server = await listen();
  } finally {
    process.umask(umask);
  }
  await chmod(options.path, 0o600);
  return server;
}

/** The audit log's name for a peer: its address, and its certificate's subject with TLS. */
export function describeSocket(socket: Socket): { address: string } {
  const tls = socket as Partial<TLSSocket>;
  const subject =
    typeof tls.getPeerCertificate === "function" ? tls.getPeerCertificate().subject?.CN : undefined;
  const where =
    socket.remoteAddress === undefined
      ? "unix socket"
      : `${socket.remoteAddress}:${socket.remotePort}`;
  return { address: subject === undefined ? where : `${where} (${String(subject)})` };
}
