/**
 * The ways to get a `Connection`: over any message transport (`connectTransport`), or two
 * connected in one process over an in-memory pair (`connectPair`).
 */
import { Connection, type Dialer } from "./connection.ts";
import type { ConnectOptions } from "./connection-types.ts";
import { createMemoryTransportPair } from "./memory-transport.ts";
import {
  type DuplexLike,
  type StreamTransportOptions,
  createStreamTransport,
} from "./stream-transport.ts";
import type { Transport } from "./transport.ts";

/**
 * Connects over `transport` (send frame / receive frames / close): sends this side's Hello,
 * waits for the peer's, runs the local service's `onConnect`, then resolves. Rejects with a
 * coded error on a version mismatch, a closed transport, or no Hello within `config.handshakeTimeout`.
 * `TRoot` types `conn.root` (`Remote<TRoot>`).
 *
 * @example
 * const conn = await connectTransport<EchoService>(myWebSocketTransport, { service: VoidService });
 * await conn.root.add(2, 3);
 */
export async function connectTransport<TRoot = any, S extends object = object>(
  transport: Transport,
  options: ConnectOptions<S> = {},
): Promise<Connection<TRoot>> {
  const conn = new Connection<TRoot>(transport, options);
  await conn.open();
  return conn;
}

/**
 * Connects over the transport `dial` opens; with `options.reconnect`, the connection calls
 * `dial` again after a transport failure (see docs/resume.md). Transport packages build their
 * `connect()` on it. A failed first dial or handshake rejects (nothing is retried then).
 *
 * @example
 * const conn = await connectDialing(() => openMyTransport(url), { reconnect: true });
 * conn.on("reconnect", ({ resumed }) => console.log("back", resumed));
 */
export async function connectDialing<TRoot = any, S extends object = object>(
  dial: Dialer,
  options: ConnectOptions<S> = {},
): Promise<Connection<TRoot>> {
  const transport = await dial();
  const conn = new Connection<TRoot>(transport, options, dial);
  await conn.open();
  return conn;
}

/**
 * Options of `connectStream`: the connection's, plus the stream transport's.
 *
 * @example
 * await connectStream(socket, { service: EchoService, stream: { maxQueuedBytes: 1 << 20 } });
 */
export interface StreamConnectOptions<S extends object = object> extends ConnectOptions<S> {
  /** Send-queue bound and close timeout of the stream transport (see `createStreamTransport`). */
  readonly stream?: Omit<StreamTransportOptions, "limits">;
}

/**
 * Connects over a Node-style duplex byte stream (a `net.Socket`, a TLS socket, a child's stdio
 * adapted to one duplex) with length-prefixed frames. Core imports no Node module: the stream
 * is duck-typed (`DuplexLike`). The connection owns the stream from now on.
 *
 * @example
 * import { createConnection } from "node:net";
 * const socket = createConnection({ host: "127.0.0.1", port: 18861 });
 * const conn = await connectStream<EchoService>(socket);
 * console.log(await conn.root.echo("hi"));
 */
export function connectStream<TRoot = any, S extends object = object>(
  duplex: DuplexLike,
  options: StreamConnectOptions<S> = {},
): Promise<Connection<TRoot>> {
  const limits = options.config?.limits;
  const transport = createStreamTransport(duplex, {
    ...options.stream,
    ...(limits === undefined ? {} : { limits }),
  });
  return connectTransport<TRoot, S>(transport, options);
}

/**
 * Two connections in one process over an in-memory transport pair: `[first, second]`, where
 * `first` serves `a.service` and reaches `b.service` as `first.root`, and vice versa. Both roots
 * are typed from the given services.
 *
 * @example
 * const [client, server] = await connectPair({}, { service: EchoService });
 * await client.root.add(2, 3); // 5
 * await client.close();
 */
export async function connectPair<A extends object = any, B extends object = any>(
  a: ConnectOptions<A> = {},
  b: ConnectOptions<B> = {},
): Promise<[Connection<B>, Connection<A>]> {
  const [ta, tb] = createMemoryTransportPair();
  const first = new Connection<B>(ta, a);
  const second = new Connection<A>(tb, b);
  const results = await Promise.allSettled([first.open(), second.open()]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure !== undefined) {
    await Promise.all([first.close(), second.close()]);
    throw failure.reason;
  }
  return [first, second];
}
