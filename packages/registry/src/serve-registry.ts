/**
 * `serveRegistry`: binds a registry to a UDP socket (one datagram per request and reply; the
 * socket also receives broadcasts when bound to a wildcard address) or a TCP listener (one
 * length-prefixed frame per request and reply).
 */
import dgram from "node:dgram";
import net from "node:net";
import { encodeFrame, FrameDecoder, FrameTooLargeError, resolveLimits } from "@rpyc/protocol";
import {
  DEFAULT_PRUNE_TIMEOUT_MS,
  DEFAULT_REGISTRY_LIMITS,
  DEFAULT_REGISTRY_PORT,
  type RegistryLimits,
} from "./limits.ts";
import { normalizeHost } from "./registry-table.ts";
import { RegistryServer } from "./registry-server.ts";

/**
 * Options of `serveRegistry`.
 *
 * @example
 * await serveRegistry({ mode: "tcp", host: "0.0.0.0", pruneTimeoutMs: 120_000, allowListing: true });
 */
export interface ServeRegistryOptions {
  /** "udp" (default, like RPyC; answers broadcasts) or "tcp". */
  readonly mode?: "udp" | "tcp";
  /**
   * Address to bind. Default "127.0.0.1": RPyC's registry binds every interface, which exposes
   * an unauthenticated service to the network; pass "0.0.0.0" (or "::") to do that on purpose,
   * e.g. to answer broadcasts from other machines.
   */
  readonly host?: string;
  /** Port (default 18811; 0 picks a free one, read it from `server.port`). */
  readonly port?: number;
  /** A registration not refreshed for this long is removed (default 240 000 ms, like RPyC). */
  readonly pruneTimeoutMs?: number;
  /** How often stale entries are pruned in the background (default: a quarter of the timeout;
   * 0 turns the timer off, leaving pruning to queries and `server.prune()`). */
  readonly pruneIntervalMs?: number;
  /** Answer LIST requests (default false, like RPyC). */
  readonly allowListing?: boolean;
  readonly limits?: Partial<RegistryLimits>;
  /** Clock in ms since the epoch (default `Date.now`); tests inject one to prune without waiting. */
  readonly now?: () => number;
}

/**
 * Starts a registry server and resolves once it listens.
 *
 * @example
 * const registry = await serveRegistry({ mode: "udp", host: "127.0.0.1", port: 0 });
 * registry.on("added", ({ name, host, port }) => console.log(`+ ${name} ${host}:${port}`));
 * // … servers register, clients discover …
 * await registry.close();
 */
export async function serveRegistry(options: ServeRegistryOptions = {}): Promise<RegistryServer> {
  const pruneTimeoutMs = options.pruneTimeoutMs ?? DEFAULT_PRUNE_TIMEOUT_MS;
  if (!(pruneTimeoutMs > 0))
    throw new RangeError(`pruneTimeoutMs must be > 0 (got ${pruneTimeoutMs})`);
  const server = new RegistryServer({
    mode: options.mode ?? "udp",
    pruneTimeoutMs,
    allowListing: options.allowListing ?? false,
    limits: { ...DEFAULT_REGISTRY_LIMITS, ...options.limits },
    now: options.now ?? Date.now,
  });
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_REGISTRY_PORT;
  const stopListening =
    server.mode === "udp"
      ? await listenUdp(server, host, port)
      : await listenTcp(server, host, port);

  const pruneIntervalMs = options.pruneIntervalMs ?? Math.ceil(pruneTimeoutMs / 4);
  // unref: the prune timer alone never keeps a process alive; the socket does.
  const timer =
    pruneIntervalMs > 0 ? setInterval(() => server.prune(), pruneIntervalMs).unref() : undefined;
  server.setCloser(async () => {
    clearInterval(timer);
    await stopListening();
  });
  return server;
}

async function listenUdp(
  server: RegistryServer,
  host: string,
  port: number,
): Promise<() => Promise<void>> {
  const socket = dgram.createSocket({ type: net.isIPv6(host) ? "udp6" : "udp4" });
  const limits = server.limits;
  socket.on("message", (msg, rinfo) => {
    const reply = server.handle(msg, normalizeHost(rinfo.address), limits.maxUdpReplyBytes);
    if (!reply) return;
    socket.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) server.countSocketError();
    });
  });
  // After bind, an 'error' (e.g. ICMP unreachable surfacing) must not crash the registry.
  const onError = () => server.countSocketError();
  await new Promise<void>((resolve, reject) => {
    socket.once("error", (err) => {
      socket.close(); // a failed bind must not leave the socket open
      reject(err);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners("error");
      socket.on("error", onError);
      resolve();
    });
  });
  const address = socket.address();
  server.host = address.address;
  server.port = address.port;
  return () => new Promise<void>((resolve) => socket.close(() => resolve()));
}

async function listenTcp(
  server: RegistryServer,
  host: string,
  port: number,
): Promise<() => Promise<void>> {
  const limits = server.limits;
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => server.countSocketError());
    socket.setTimeout(limits.tcpIdleTimeoutMs, () => socket.destroy());
    const source = normalizeHost(socket.remoteAddress ?? "");
    // The same framing as rpyc-ts connections; the prefix is checked before anything is buffered.
    const frames = new FrameDecoder(resolveLimits({ maxFrameBytes: limits.maxRequestBytes }));
    socket.on("data", (chunk: Buffer) => {
      let requests: readonly Uint8Array[];
      let oversize: FrameTooLargeError | undefined;
      try {
        requests = frames.push(chunk);
      } catch (err) {
        if (!(err instanceof FrameTooLargeError)) throw err;
        oversize = err;
        requests = err.frames;
      }
      for (const request of requests) {
        const reply = server.handle(request, source, limits.maxTcpReplyBytes);
        if (!reply) {
          // Dropped (malformed or unknown): close, so the client fails now rather than at its timeout.
          socket.destroy();
          return;
        }
        socket.write(encodeFrame(reply));
        // A peer that pipelines requests without reading the replies would grow our buffer.
        if (socket.writableLength > 2 * limits.maxTcpReplyBytes) {
          server.countSocketError();
          socket.destroy();
          return;
        }
      }
      if (oversize) {
        const detail = `${oversize.declaredBytes}-byte frame > maxRequestBytes ${limits.maxRequestBytes}`;
        server.countDropped("oversize", detail, source);
        socket.destroy();
      }
    });
  });
  listener.maxConnections = limits.maxTcpConnections;
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, host, () => {
      listener.off("error", reject);
      listener.on("error", () => server.countSocketError());
      resolve();
    });
  });
  const address = listener.address() as net.AddressInfo;
  server.host = address.address;
  server.port = address.port;
  return () =>
    new Promise<void>((resolve) => {
      listener.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}
