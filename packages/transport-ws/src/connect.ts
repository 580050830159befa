/**
 * `connect(url)` of the browser entry: the WebSocket client on the platform's `WebSocket`
 * (browsers, Deno, workers), or on `options.WebSocket`. Node resolves `@rpyc/transport-ws` to
 * connect-node.ts instead (the `node` export condition), which opens `ws` sockets.
 */
import {
  connectDialing,
  type Connection,
  type ConnectOptions as CoreConnectOptions,
  type Transport,
} from "@rpyc/core";
import { ConnectError } from "./errors.ts";
import {
  createWebSocketTransport,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from "./websocket-transport.ts";

/**
 * A WebSocket constructor: the browser's, Node 22's global, or `ws`'s.
 *
 * @example
 * import { WebSocket } from "ws";
 * await connect(url, { WebSocket }); // Node 20: no global WebSocket
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/**
 * Options of `connect()`: core's connection options plus the transport's limits.
 *
 * @example
 * await connect("wss://example.com/rpyc", { service: ClientService, config: { timeout: 5000 } });
 */
export interface ConnectOptions extends CoreConnectOptions, WebSocketTransportOptions {
  /** The WebSocket class to use. Default: `ws`'s on Node, `globalThis.WebSocket` elsewhere. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Node only (the `ws` client): TLS for `wss:` URLs: trusted CA(s), expected server name,
   * client certificate. A browser rejects the connect with `RPYC_ERR_NODE_ONLY_OPTION`: its
   * WebSocket takes TLS from the browser's own trust store.
   */
  readonly tls?: {
    readonly ca?: string | Uint8Array | (string | Uint8Array)[];
    readonly servername?: string;
    readonly cert?: string | Uint8Array;
    readonly key?: string | Uint8Array;
  };
  /** Node only: extra HTTP headers for the upgrade request (e.g. an auth token). */
  readonly headers?: Record<string, string>;
  /** Node only: handshake timeout in ms. Default 10_000. */
  readonly handshakeTimeoutMs?: number;
}

/**
 * Opens a WebSocket to an rpyc-ts server (`@rpyc/transport-ws/server`) and connects over it.
 *
 * @example
 * import { connect } from "@rpyc/transport-ws";
 * const conn = await connect("ws://127.0.0.1:18861/rpyc");
 * console.log(await conn.root.getTime());
 * await conn.close();
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Connection> {
  const nodeOnly = (["tls", "headers", "handshakeTimeoutMs"] as const).find(
    (name) => options[name] !== undefined,
  );
  if (nodeOnly !== undefined) {
    throw new ConnectError(
      "RPYC_ERR_NODE_ONLY_OPTION",
      `options.${nodeOnly} needs the Node client (a browser WebSocket cannot take it)`,
    );
  }
  const WebSocketClass =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketClass) {
    throw new ConnectError(
      "RPYC_ERR_NO_WEBSOCKET",
      "no global WebSocket in this runtime: pass options.WebSocket",
    );
  }
  return connectOver(url, () => new WebSocketClass(url), options);
}

/** Opens a socket with `create`, then runs the rpyc handshake over it; drops it on failure. */
export async function connectOver(
  url: string,
  create: () => WebSocketLike,
  options: ConnectOptions,
): Promise<Connection> {
  const {
    WebSocket: _w,
    tls: _t,
    headers: _h,
    handshakeTimeoutMs: _ht,
    maxFrameBytes,
    maxBufferedBytes,
    closeTimeoutMs,
    ...connectOptions
  } = options;
  const transportOptions = {
    maxFrameBytes: maxFrameBytes ?? options.config?.limits?.maxFrameBytes,
    maxBufferedBytes,
    closeTimeoutMs,
  };
  const transport = await openWebSocket(url, create, transportOptions);
  let first: Transport | undefined = transport;
  // The first dial is the socket above; a reconnecting connection opens a new one each time.
  const dial = async (): Promise<Transport> => {
    const next = first ?? (await openWebSocket(url, create, transportOptions));
    first = undefined;
    return next;
  };
  try {
    return await connectDialing(dial, connectOptions);
  } catch (error) {
    transport.close();
    throw error;
  }
}

/**
 * Creates a socket and waits for `open`; a failure before it becomes a `ConnectError`. The
 * transport is created inside the `open` handler: `ws` may deliver the server's first message in
 * the same tick as `open`, and the transport must already be listening to keep it.
 */
function openWebSocket(
  url: string,
  create: () => WebSocketLike,
  transportOptions: WebSocketTransportOptions,
): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      socket = create();
    } catch (error) {
      reject(
        new ConnectError("RPYC_ERR_CONNECT", `bad WebSocket URL ${url}: ${String(error)}`, {
          cause: error,
        }),
      );
      return;
    }
    let settled = false;
    socket.addEventListener("open", () => {
      settled = true;
      resolve(createWebSocketTransport(socket, transportOptions));
    });
    socket.addEventListener("error", (event) => {
      if (settled) return;
      settled = true;
      const cause = (event as { error?: unknown }).error;
      const detail = cause instanceof Error ? `: ${cause.message}` : "";
      reject(
        new ConnectError(
          "RPYC_ERR_CONNECT",
          `could not open WebSocket ${url}${detail} (is the server running, and is the path right?)`,
          { cause },
        ),
      );
    });
  });
}
