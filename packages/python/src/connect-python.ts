/**
 * Client side: `connectPython` (TCP, or TLS with `tls`) and `connectPythonUnix` open a
 * connection to a Python RPyC server. RPyC has no handshake, so the dialect must be given:
 * "6" for RPyC 6.x servers, "5" for 5.x (Debian 12's python3-rpyc is 5.3).
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { ConnectionClosedError } from "@rpyc/core";
import type { Dialect } from "./messages.ts";
import { PythonConnection, type PythonConnectionOptions } from "./python-connection.ts";

/** Options of `connectPython`. */
export interface ConnectPythonOptions extends Omit<PythonConnectionOptions, "dialect"> {
  /** The server's RPyC major version: "6" (6.x) or "5" (5.x). Required: the wire has no handshake. */
  readonly dialect: Dialect;
  /** Connect over TLS with these options (verification stays on unless you turn it off). */
  readonly tls?: ConnectionOptions;
  /** Milliseconds to wait for the socket to connect. Default 10,000. */
  readonly connectTimeout?: number;
}

function open(
  socket: Socket,
  ready: string,
  options: ConnectPythonOptions,
): Promise<PythonConnection> {
  if (options.dialect !== "5" && options.dialect !== "6") {
    socket.destroy();
    return Promise.reject(
      new TypeError(
        `dialect must be "5" or "6" (the server's RPyC major version), not ${String(options.dialect)}`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new ConnectionClosedError(
          `could not connect within ${options.connectTimeout ?? 10_000} ms`,
        ),
      );
    }, options.connectTimeout ?? 10_000);
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.setNoDelay(true);
      resolve(new PythonConnection(socket, options));
    });
  });
}

/**
 * Connects to a Python RPyC server over TCP (or TLS with `options.tls`).
 *
 * @example
 * const conn = await connectPython("127.0.0.1", 18861, { dialect: "6" });
 * console.log(await conn.root.echo("hi"));
 * await conn.close();
 */
export function connectPython(
  host: string,
  port: number,
  options: ConnectPythonOptions,
): Promise<PythonConnection> {
  if (options.tls !== undefined) {
    const socket = tlsConnect({ servername: host, ...options.tls, host, port });
    return open(socket, "secureConnect", options);
  }
  return open(netConnect({ host, port }), "connect", options);
}

/**
 * Connects to a Python RPyC server on a Unix socket (`ThreadedServer(socket_path=...)`).
 *
 * @example
 * const conn = await connectPythonUnix("/run/app.sock", { dialect: "5" });
 */
export function connectPythonUnix(
  path: string,
  options: ConnectPythonOptions,
): Promise<PythonConnection> {
  return open(netConnect({ path }), "connect", options);
}
