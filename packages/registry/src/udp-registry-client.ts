/**
 * Registry client over UDP: one datagram out, the first matching datagram back. Each call uses
 * its own short-lived socket, so a client holds nothing open between calls and needs no close().
 */
import dgram from "node:dgram";
import net from "node:net";
import { RegistryUnreachableError } from "./errors.ts";
import {
  DEFAULT_REGISTRY_LIMITS,
  DEFAULT_REGISTRY_PORT,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  type RegistryLimits,
} from "./limits.ts";
import {
  type RegistryClient,
  type RegistryExchange,
  WireRegistryClient,
} from "./registry-client.ts";
import { decodeReply, type RegistryReply } from "./registry-wire.ts";

/**
 * Options of `createUdpRegistryClient`.
 *
 * @example
 * createUdpRegistryClient({ host: "192.168.1.255", port: 18811, timeoutMs: 1000 });
 */
export interface UdpRegistryClientOptions {
  /** Registry address, or a broadcast address (default "255.255.255.255", like RPyC). */
  readonly host?: string;
  /** Registry port (default 18811). */
  readonly port?: number;
  /** How long to wait for an answer (default 2000 ms). */
  readonly timeoutMs?: number;
  /**
   * Send as a broadcast and accept the first answer from any registry (default: true when
   * `host` is 255.255.255.255 or ends in .255). A unicast client accepts answers from `host`
   * only, and learns at once (ICMP port unreachable) when nothing listens there.
   */
  readonly broadcast?: boolean;
  readonly limits?: Partial<RegistryLimits>;
}

/**
 * Creates a UDP registry client (RPyC's `UDPRegistryClient`).
 *
 * @example
 * const registry = createUdpRegistryClient({ host: "127.0.0.1", port: 18811 });
 * await registry.register(["TIME"], 18861);
 * const endpoints = await registry.discover("TIME");
 */
export function createUdpRegistryClient(options: UdpRegistryClientOptions = {}): RegistryClient {
  const host = options.host ?? "255.255.255.255";
  const port = options.port ?? DEFAULT_REGISTRY_PORT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
  const broadcast = options.broadcast ?? /\.255$/.test(host);
  const limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  const where = `udp://${host}:${port}`;

  const exchange: RegistryExchange = (request, bytes, subject) =>
    new Promise<RegistryReply>((resolve, reject) => {
      const socket = dgram.createSocket({ type: net.isIPv6(host) ? "udp6" : "udp4" });
      let done = false;
      const finish = (error: Error | undefined, reply?: RegistryReply) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.close();
        if (error) reject(error);
        else resolve(reply as RegistryReply);
      };
      const unreachable = (why: string, cause?: unknown) =>
        finish(
          new RegistryUnreachableError(
            subject,
            `${request.command} ${subject}: no registry answered at ${where} ${why} (is rpyc-registry running there, in udp mode?)`,
            cause === undefined ? undefined : { cause },
          ),
        );
      const timer = setTimeout(() => unreachable(`within ${timeoutMs} ms`), timeoutMs);
      socket.on("error", (err) => unreachable(`(${err.message})`, err));
      socket.on("message", (msg) => {
        const reply = decodeReply(msg);
        // Anything else (a stray or forged datagram) is ignored; we keep waiting until the timeout.
        if (reply?.id === request.id) finish(undefined, reply);
      });
      const send = () => socket.send(bytes, (err) => err && unreachable(`(${err.message})`, err));
      if (broadcast) {
        socket.bind(0, () => {
          socket.setBroadcast(true);
          socket.send(bytes, port, host, (err) => err && unreachable(`(${err.message})`, err));
        });
      } else {
        // A connected socket only receives from the registry, and gets ECONNREFUSED (ICMP) when
        // nothing listens there, instead of waiting for the timeout.
        socket.connect(port, host, send); // a failed lookup or connect arrives as an "error" event
      }
    });

  return new WireRegistryClient(exchange, limits);
}
