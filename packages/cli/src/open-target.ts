/**
 * Opens a `Target`: connects over its transport with `VoidService` (the `rpyc` client exposes
 * nothing to the server), then, when the server is a classic server (or `--classic` was
 * given), authenticates as a classic client. Every failure — unreachable, not rpyc, TLS, a
 * refused token — becomes a `CliConnectError` whose message says what happened, with nothing
 * left open.
 */
import { readFile } from "node:fs/promises";
import { classicOver, readTokenFile, type ClassicConnection } from "@rpyc/classic";
import { VoidService, type Connection } from "@rpyc/core";
import { connectSubprocess } from "@rpyc/transport-stdio";
import { connect as connectTcp, connectUnix } from "@rpyc/transport-tcp";
import { connect as connectWs } from "@rpyc/transport-ws";
import { CliConnectError } from "./errors.ts";
import { describeTarget, type Target } from "./target.ts";

/** How to open a target: the relevant part of the command line. */
export interface OpenOptions {
  /** Authenticate as a classic client even if the server does not say it is one (it must be). */
  readonly classic?: boolean;
  /** The classic token. Default: `tokenFile`'s content, else `RPYC_TOKEN`. */
  readonly token?: string;
  readonly tokenFile?: string;
  /** TLS files (PEM paths) for tls:// and wss://. */
  readonly sslCafile?: string;
  readonly sslCertfile?: string;
  readonly sslKeyfile?: string;
}

/** An open target: the connection, and its classic view when the server is classic. */
export interface OpenedTarget {
  readonly target: Target;
  readonly conn: Connection;
  readonly classic: ClassicConnection | undefined;
}

/**
 * Connects to `target` and, for a classic server, authenticates.
 *
 * @example
 * const { conn, classic } = await openTarget(parseTarget("tcp://127.0.0.1:18812"), { token });
 */
export async function openTarget(target: Target, options: OpenOptions = {}): Promise<OpenedTarget> {
  const where = describeTarget(target);
  let conn: Connection;
  try {
    conn = await connectTo(target, options);
  } catch (error) {
    throw asConnectError(error, `cannot connect to ${where}`);
  }
  if (conn.peerService !== "CLASSIC" && options.classic !== true) {
    return { target, conn, classic: undefined };
  }
  try {
    const token = await tokenOf(options);
    const classic = await classicOver(conn, token);
    return { target, conn, classic };
  } catch (error) {
    if (!conn.closed) await conn.close();
    throw asConnectError(error, `${where} refused the connection`);
  }
}

async function tokenOf(options: OpenOptions): Promise<string | undefined> {
  if (options.token !== undefined) return options.token;
  if (options.tokenFile !== undefined) return readTokenFile(options.tokenFile);
  const fromEnv = process.env["RPYC_TOKEN"];
  return fromEnv === "" ? undefined : fromEnv;
}

async function tlsOf(options: OpenOptions): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const read = (path: string | undefined) => (path === undefined ? undefined : readFile(path));
  const [ca, cert, key] = await Promise.all([
    read(options.sslCafile),
    read(options.sslCertfile),
    read(options.sslKeyfile),
  ]);
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}

async function connectTo(target: Target, options: OpenOptions): Promise<Connection> {
  const service = VoidService;
  switch (target.kind) {
    case "tcp":
      return connectTcp(target.host, target.port, {
        service,
        ...(target.tls ? { tls: await tlsOf(options) } : {}),
      });
    case "unix":
      return connectUnix(target.path, { service });
    case "ws": {
      const secure = target.url.startsWith("wss:");
      return connectWs(target.url, { service, ...(secure ? { tls: await tlsOf(options) } : {}) });
    }
    case "stdio":
      return connectSubprocess(target.command, target.args, { service });
  }
}

/** The error as the user should read it: coded errors keep their (explanatory) message. */
function asConnectError(error: unknown, context: string): CliConnectError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return new CliConnectError(
    typeof code === "string" && code.startsWith("RPYC_ERR_") ? code : "RPYC_ERR_CONNECT",
    // A coded error's message already says where and why (the transports' are explicit).
    typeof code === "string" && code.startsWith("RPYC_ERR_") ? message : `${context}: ${message}`,
    { cause: error },
  );
}
