/**
 * A TCP proxy on 127.0.0.1 that cuts its connections on demand: at once (`cut()`), after a
 * given number of bytes in one direction (`cutAfter`, so a cut can land mid-frame), or when a
 * forwarded chunk matches (`cutWhen`). A cut destroys both sockets of a pair (the peers see
 * a dropped connection, never a clean Close). Used by the reconnect and resume tests.
 *
 * @example
 * const proxy = await startCuttingProxy(server.port);
 * const conn = await connect("127.0.0.1", proxy.port, { reconnect: true });
 * proxy.cutAfter("down", 100); // the 101st byte from the server never arrives
 */
import { once } from "node:events";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";

/** "up": client → server; "down": server → client. */
export type Direction = "up" | "down";

export interface CuttingProxy {
  /** The port it listens on (0 on a Unix path). */
  readonly port: number;
  /** Pairs forwarded so far (each client connection counts one). */
  readonly accepted: number;
  /** Pairs open now. */
  readonly open: number;
  /** Refuse new connections (they are accepted and destroyed at once) while true. */
  refuse: boolean;
  /** Destroys every open pair now; resolves when their sockets are closed. */
  cut(): Promise<void>;
  /**
   * Forwards `bytes` more bytes in `direction` (over the open pairs and later ones), then
   * cuts: the byte after them is never delivered.
   */
  cutAfter(direction: Direction, bytes: number): void;
  /** Cuts (before forwarding it) when a chunk in `direction` makes `match` true. Once. */
  cutWhen(direction: Direction, match: (chunk: Buffer) => boolean): void;
  /** Resolves at the next cut. */
  nextCut(): Promise<void>;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
}

/** Where the proxy connects to / listens on: a port of 127.0.0.1, or a Unix socket path. */
export type ProxyEndpoint = number | { readonly path: string };

/** Starts a proxy to `target` (a port of 127.0.0.1, or a Unix path); it listens on `listen` (default: a free port). */
export async function startCuttingProxy(
  target: ProxyEndpoint,
  listen: ProxyEndpoint = 0,
): Promise<CuttingProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  let budget: { direction: Direction; left: number } | undefined;
  let matcher: { direction: Direction; match: (chunk: Buffer) => boolean } | undefined;
  let cutWaiters: (() => void)[] = [];

  const destroyPair = (pair: Pair): void => {
    pair.client.destroy();
    pair.server.destroy();
  };
  const cutAll = (): void => {
    budget = undefined;
    matcher = undefined;
    for (const pair of pairs) destroyPair(pair);
    const waiters = cutWaiters;
    cutWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const forward = (pair: Pair, direction: Direction, chunk: Buffer): void => {
    const to = direction === "up" ? pair.server : pair.client;
    if (matcher?.direction === direction && matcher.match(chunk)) return cutAll();
    if (budget?.direction === direction) {
      if (chunk.length >= budget.left) {
        const part = chunk.subarray(0, budget.left);
        // Write the part, then cut once it is flushed to the kernel.
        if (part.length === 0) return cutAll();
        to.write(part, () => cutAll());
        budget.left = 0;
        pairs.delete(pair); // nothing more crosses this pair
        return;
      }
      budget.left -= chunk.length;
    }
    to.write(chunk);
  };

  const server: Server = createServer((client) => {
    accepted++;
    client.on("error", () => undefined);
    if (proxy.refuse) {
      client.destroy();
      return;
    }
    client.pause();
    const upstream =
      typeof target === "number"
        ? netConnect({ host: "127.0.0.1", port: target })
        : netConnect({ path: target.path });
    upstream.on("error", () => undefined);
    const pair: Pair = { client, server: upstream };
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      destroyPair(pair);
    };
    client.once("close", drop);
    upstream.once("close", drop);
    upstream.once("connect", () => client.resume());
    client.on("data", (chunk: Buffer) => {
      if (pairs.has(pair)) forward(pair, "up", chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (pairs.has(pair)) forward(pair, "down", chunk);
    });
  });
  if (typeof listen === "number") server.listen(listen, "127.0.0.1");
  else server.listen(listen.path);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;

  const waitClosed = (sockets: Socket[]): Promise<void> =>
    Promise.all(
      sockets.map((s) => (s.closed ? undefined : once(s, "close").then(() => undefined))),
    ).then(() => undefined);

  const proxy: CuttingProxy = {
    port,
    refuse: false,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cut() {
      const sockets = [...pairs].flatMap((p) => [p.client, p.server]);
      cutAll();
      return waitClosed(sockets);
    },
    cutAfter(direction, bytes) {
      budget = { direction, left: bytes };
    },
    cutWhen(direction, match) {
      matcher = { direction, match };
    },
    nextCut() {
      return new Promise((resolve) => cutWaiters.push(resolve));
    },
    async close() {
      const sockets = [...pairs].flatMap((p) => [p.client, p.server]);
      cutAll();
      await waitClosed(sockets);
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}
