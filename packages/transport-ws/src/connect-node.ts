/**
 * `connect(url)` of the Node entry (`import { connect } from "@rpyc/transport-ws"` on Node, by
 * the `node` export condition; also `@rpyc/transport-ws/node`). It opens a `ws` socket, so it
 * works on Node 20 (no global WebSocket), refuses oversize messages before buffering them
 * (`maxPayload`), and takes TLS options and headers.
 */
import type { Connection } from "@rpyc/core";
import { connectOver, type ConnectOptions, type WebSocketConstructor } from "./connect.ts";
import { ConnectError } from "./errors.ts";
import { loadWs } from "./load-ws.ts";
import { DEFAULT_MAX_FRAME_BYTES, type WebSocketLike } from "./websocket-transport.ts";

/**
 * Options of the Node client: the same as the browser's (`ConnectOptions`), whose `tls`,
 * `headers` and `handshakeTimeoutMs` only Node honours. Kept as a name for existing code.
 *
 * @example
 * await connect("wss://localhost:8443/rpyc", { tls: { ca }, headers: { authorization: "Bearer t" } });
 */
export type NodeConnectOptions = ConnectOptions;

/**
 * Opens a `ws` WebSocket to an rpyc-ts server and connects over it. With `options.WebSocket`,
 * opens that class instead; without `ws` installed, falls back to a global `WebSocket`
 * (Node ≥ 22), else fails with `RPYC_ERR_NO_WEBSOCKET` saying to install `ws`.
 *
 * @example
 * import { connect } from "@rpyc/transport-ws";
 * const conn = await connect("ws://127.0.0.1:18861/rpyc");
 * console.log(await conn.root.getTime());
 * await conn.close();
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Connection> {
  const { tls, headers, handshakeTimeoutMs, ...rest } = options;
  const maxPayload =
    rest.maxFrameBytes ?? rest.config?.limits?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  let create: () => WebSocketLike;
  if (rest.WebSocket) {
    const WebSocketClass = rest.WebSocket;
    create = () => new WebSocketClass(url);
  } else {
    const ws = await loadWs().catch((error: unknown) => {
      const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (global && tls === undefined && headers === undefined) return global;
      throw error instanceof ConnectError
        ? error
        : new ConnectError("RPYC_ERR_CONNECT", String(error));
    });
    if (typeof ws === "function") {
      create = () => new ws(url);
    } else {
      create = () =>
        new ws.WebSocket(url, {
          maxPayload,
          perMessageDeflate: false,
          handshakeTimeout: handshakeTimeoutMs ?? 10_000,
          headers,
          ...tls,
        } as import("ws").ClientOptions);
    }
  }
  return connectOver(url, create, { ...rest, maxFrameBytes: maxPayload });
}
