/**
 * The ways to reach a classic server: TCP/TLS (`connectClassic`), a unix socket
 * (`connectClassicUnix`), WebSocket (`connectClassicWs`), a subprocess serving on its stdio
 * (`connectClassicSubprocess`), or any duplex stream (`connectClassicStream`). Each connects,
 * authenticates, and resolves with a `ClassicConnection`; a refused token rejects with
 * `ClassicAuthenticationError` and leaves nothing open.
 */
import { connectStream, VoidService, type StreamConnectOptions, type DuplexLike } from "@rpyc/core";
import { connectSubprocess, type ConnectSubprocessOptions } from "@rpyc/transport-stdio";
import {
  connect,
  connectUnix,
  type ConnectOptions as TcpConnectOptions,
} from "@rpyc/transport-tcp";
import { connect as connectWs, type NodeConnectOptions } from "@rpyc/transport-ws";
import { fileURLToPath } from "node:url";
import { classicOver, type ClassicConnection } from "./classic-connection.ts";

/**
 * The classic server's default port: 18812 (RPyC's DEFAULT_SERVER_PORT).
 *
 * @example
 * await connectClassic("127.0.0.1", DEFAULT_CLASSIC_PORT, { token });
 */
export const DEFAULT_CLASSIC_PORT = 18812;

/** The token option every classic connect takes. */
export interface ClassicAuthOptions {
  /** The server's token. Default: the `RPYC_TOKEN` environment variable. */
  readonly token?: string;
}

/**
 * Options of `connectClassic`/`connectClassicUnix`: the token plus `@rpyc/transport-tcp`'s
 * connect options (TLS, timeouts…). The client's service is always `VoidService`.
 *
 * @example
 * await connectClassic("srv", 18812, { token, tls: { ca, cert, key } });
 */
export interface ConnectClassicOptions
  extends ClassicAuthOptions, Omit<TcpConnectOptions, "service"> {}

function tokenOf(options: ClassicAuthOptions): string | undefined {
  return options.token ?? process.env["RPYC_TOKEN"];
}

/**
 * Connects to a classic server over TCP (TLS with `tls`).
 *
 * @example
 * const classic = await connectClassic("127.0.0.1", 18812, { token });
 * console.log(await classic.modules.os.platform());
 * await classic.close();
 */
export async function connectClassic(
  host: string,
  port: number = DEFAULT_CLASSIC_PORT,
  options: ConnectClassicOptions = {},
): Promise<ClassicConnection> {
  const conn = await connect(host, port, { ...options, service: VoidService });
  return classicOver(conn, tokenOf(options));
}

/**
 * Connects to a classic server on a unix socket (a 0600 socket needs no token).
 *
 * @example
 * const classic = await connectClassicUnix("/run/user/1000/classic.sock");
 */
export async function connectClassicUnix(
  path: string,
  options: ConnectClassicOptions = {},
): Promise<ClassicConnection> {
  const conn = await connectUnix(path, { ...options, service: VoidService });
  return classicOver(conn, tokenOf(options));
}

/**
 * Connects to a classic server over WebSocket.
 *
 * @example
 * const classic = await connectClassicWs("ws://127.0.0.1:8080/classic", { token });
 */
export async function connectClassicWs(
  url: string,
  options: ClassicAuthOptions & Omit<NodeConnectOptions, "service"> = {},
): Promise<ClassicConnection> {
  const conn = await connectWs(url, { ...options, service: VoidService });
  return classicOver(conn, tokenOf(options));
}

/**
 * Spawns a program that serves classic mode on its stdio (by default `rpyc-classic -m stdio`,
 * this package's command) and connects to it. Closing the connection ends the child.
 *
 * @example
 * const classic = await connectClassicSubprocess();
 * await classic.eval("process.pid"); // the child's pid
 */
export async function connectClassicSubprocess(
  command: string = process.execPath,
  args: readonly string[] = [classicCommandPath(), "--mode", "stdio", "--quiet"],
  options: ClassicAuthOptions & Omit<ConnectSubprocessOptions, "service"> = {},
): Promise<ClassicConnection> {
  const conn = await connectSubprocess(command, args, { ...options, service: VoidService });
  return classicOver(conn, tokenOf(options));
}

/**
 * Connects over a duplex byte stream that reaches a classic server (an ssh pipe, a socket).
 *
 * @example
 * const classic = await connectClassicStream(socket, { token });
 */
export async function connectClassicStream(
  duplex: DuplexLike,
  options: ClassicAuthOptions & Omit<StreamConnectOptions, "service"> = {},
): Promise<ClassicConnection> {
  const conn = await connectStream(duplex, { ...options, service: VoidService });
  return classicOver(conn, tokenOf(options));
}

/**
 * The path of this package's `rpyc-classic` command (its bin script).
 *
 * @example
 * spawn(process.execPath, [classicCommandPath(), "--mode", "oneshot"]);
 */
export function classicCommandPath(): string {
  return fileURLToPath(new URL("../bin/rpyc-classic.js", import.meta.url));
}
