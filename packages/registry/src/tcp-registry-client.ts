/**
 * Registry client over TCP: one connection per call, one length-prefixed request frame out, one
 * reply frame back. Refused, reset or silent registries all become `RegistryUnreachableError`
 * (RPyC's TCP client lets a raw ConnectionRefusedError escape; we don't).
 */
import net from "node:net";
import { encodeFrame, FrameDecoder, type FrameTooLargeError, resolveLimits } from "@rpyc/protocol";
import { RegistryError, RegistryUnreachableError } from "./errors.ts";
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
 * Options of `createTcpRegistryClient`.
 *
 * @example
 * createTcpRegistryClient({ host: "registry.internal", port: 18811, timeoutMs: 1000 });
 */
export interface TcpRegistryClientOptions {
  /** Registry address (required: TCP cannot broadcast). */
  readonly host: string;
  /** Registry port (default 18811). */
  readonly port?: number;
  /** How long one call may take, connection included (default 2000 ms). */
  readonly timeoutMs?: number;
  readonly limits?: Partial<RegistryLimits>;
}

/**
 * Creates a TCP registry client (RPyC's `TCPRegistryClient`).
 *
 * @example
 * const registry = createTcpRegistryClient({ host: "10.0.0.5", port: 18811 });
 * await registry.register(["TIME"], 18861);
 * const endpoints = await registry.discover("TIME");
 */
export function createTcpRegistryClient(options: TcpRegistryClientOptions): RegistryClient {
  const { host } = options;
  const port = options.port ?? DEFAULT_REGISTRY_PORT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
  const limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  const where = `tcp://${host}:${port}`;

  const exchange: RegistryExchange = (request, bytes, subject) =>
    new Promise<RegistryReply>((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true });
      const frames = new FrameDecoder(resolveLimits({ maxFrameBytes: limits.maxTcpReplyBytes }));
      let done = false;
      const finish = (error: Error | undefined, reply?: RegistryReply) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(reply as RegistryReply);
      };
      const unreachable = (why: string, cause?: unknown) =>
        finish(
          new RegistryUnreachableError(
            subject,
            `${request.command} ${subject}: cannot reach the registry at ${where}: ${why} (is rpyc-registry --mode tcp running there?)`,
            cause === undefined ? undefined : { cause },
          ),
        );
      const protocolError = (why: string) =>
        finish(
          new RegistryError(
            "RPYC_ERR_REGISTRY_PROTOCOL",
            `${request.command} ${subject}: ${why} from the registry at ${where}`,
          ),
        );
      const timer = setTimeout(() => unreachable(`no answer within ${timeoutMs} ms`), timeoutMs);
      socket.on("error", (err) => unreachable(err.message, err));
      socket.on("connect", () => socket.write(encodeFrame(bytes)));
      socket.on("data", (chunk: Buffer) => {
        let first: Uint8Array | undefined;
        try {
          first = frames.push(chunk)[0];
        } catch (err) {
          const declared = (err as FrameTooLargeError).declaredBytes;
          return protocolError(`a ${declared}-byte reply (limit ${limits.maxTcpReplyBytes})`);
        }
        if (first === undefined) return;
        const reply = decodeReply(first);
        if (!reply || reply.id !== request.id) return protocolError("an invalid reply");
        finish(undefined, reply);
      });
      socket.on("close", () =>
        protocolError(
          "the connection closed without an answer (a registry drops requests it cannot read: is it an rpyc-ts registry of the same version?)",
        ),
      );
    });

  return new WireRegistryClient(exchange, limits);
}
