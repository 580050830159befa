/**
 * `connect(url)` for Node on the `ws` package (works on Node 20, which has no global
 * WebSocket): enforces `maxPayload` before buffering, and takes TLS options for `wss:`.
 */
import type { Connection } from "@rpyc/core";
import { WebSocket } from "ws";
import { connectOver, type ConnectOptions } from "./connect.ts";
import { DEFAULT_MAX_FRAME_BYTES, type WebSocketLike } from "./websocket-transport.ts";

/**
 * Options of the Node client (`@rpyc/transport-ws/node`).
 *
 * @example
 * await connect("wss://localhost:8443/rpyc", { tls: { ca }, headers: { authorization: "Bearer t" } });
 */
export interface NodeConnectOptions extends Omit<ConnectOptions, "WebSocket"> {
  /** TLS for `wss:` URLs: trusted CA(s), expected server name, client certificate. */
  readonly tls?: {
    readonly ca?: string | Buffer | (string | Buffer)[];
    readonly servername?: string;
    readonly cert?: string | Buffer;
    readonly key?: string | Buffer;
  };
  /** Extra HTTP headers for the upgrade request (e.g. an auth token). */
  readonly headers?: Record<string, string>;
  /** Handshake timeout in ms. Default 10_000. */
  readonly handshakeTimeoutMs?: number;
}

/**
 * Opens a `ws` WebSocket to an rpyc-ts server and connects over it.
 *
 * @example
 * import { connect } from "@rpyc/transport-ws/node";
 * const conn = await connect("ws://127.0.0.1:18861/rpyc");
 * console.log(await conn.root.getTime());
 * await conn.close();
 */
export function connect(url: string, options: NodeConnectOptions = {}): Promise<Connection> {
  const { tls, headers, handshakeTimeoutMs, ...rest } = options;
  const maxPayload =
    rest.maxFrameBytes ?? rest.config?.limits?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const create = (): WebSocketLike =>
    new WebSocket(url, {
      maxPayload,
      perMessageDeflate: false,
      handshakeTimeout: handshakeTimeoutMs ?? 10_000,
      headers,
      ...tls,
    });
  return connectOver(url, create, { ...rest, maxFrameBytes: maxPayload });
}
