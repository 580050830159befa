/**
 * `serveStdio()`: serve an rpyc-ts service over this process's stdin and stdout (RPyC's
 * `connect_stdpipes` / `rpyc_classic.py -m stdio`). The parent speaks rpyc on our stdout, so
 * nothing else may write there: while serving, `console.log`/`info`/`debug` go to stderr.
 */
import {
  connectTransport,
  createStreamTransport,
  streamOptionsOf,
  type Connection,
  type StreamBounds,
  type ConnectOptions,
  type ServiceSpec,
} from "@rpyc/core";
import type { Readable, Writable } from "node:stream";
import { PipeDuplex } from "./pipe-duplex.ts";

/**
 * Options of `serveStdio()`.
 *
 * @example
 * await serveStdio(EchoService, { redirectConsole: false, config: { timeout: 5000 } });
 */
export interface ServeStdioOptions extends Omit<ConnectOptions, "service">, StreamBounds {
  /** Send console.log/info/debug to stderr while serving (stdout carries the protocol). Default true. */
  readonly redirectConsole?: boolean;
  /** Streams to use instead of process.stdin/stdout (tests, embedding). */
  readonly input?: Readable;
  readonly output?: Writable;
}

/**
 * Serves `service` on stdin/stdout; resolves with the connection once the parent has done the
 * handshake. The connection ends when stdin ends (the parent closed it).
 *
 * @example
 * // time-server.ts, started by connectSubprocess(process.execPath, ["time-server.js"])
 * class TimeService extends Service { getTime() { return Date.now(); } }
 * const conn = await serveStdio(TimeService);
 */
export async function serveStdio(
  service: ServiceSpec,
  options: ServeStdioOptions = {},
): Promise<Connection> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const duplex = new PipeDuplex(input, output);
  input.once("close", () => duplex.finished());
  const restoreConsole = options.redirectConsole === false ? () => {} : redirectConsole();
  duplex.once("close", restoreConsole);
  const transport = createStreamTransport(duplex, streamOptionsOf(options));
  try {
    return await connectTransport(transport, { service, config: options.config });
  } catch (error) {
    restoreConsole();
    duplex.destroy();
    throw error;
  }
}

/** Points console.log/info/debug at console.error; returns the undo. */
function redirectConsole(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  console.log = console.info = console.debug = console.error.bind(console);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    Object.assign(console, saved);
  };
}
