/**
 * `serve()`: an rpyc-ts WebSocket server on the `ws` package, on its own port or attached to an
 * existing `http.Server` at a path. Node only (entry `@rpyc/transport-ws/server`).
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import {
  connectTransport,
  type Connection,
  type ConnectOptions,
  type ServiceSpec,
  closeGracefully,
  waitAtMost,
} from "@rpyc/core";
import type { WebSocket, WebSocketServer } from "ws";
import { loadWs } from "./load-ws.ts";
import { createWebSocketTransport, DEFAULT_MAX_FRAME_BYTES } from "./websocket-transport.ts";
import { DEFAULT_WS_HIGH_WATER_BYTES, pauseWhileOwed } from "./pause-while-owed.ts";

/**
 * Options of the WebSocket `serve()`; core's connection options apply to each connection.
 *
 * @example
 * await serve(EchoService, { server: httpServer, path: "/rpyc", maxConnections: 100 });
 */
export interface WsServeOptions extends Omit<Partial<ConnectOptions>, "service"> {
  /** Attach to this HTTP(S) server instead of listening on a port of our own. */
  readonly server?: HttpServer;
  /** URL path served (e.g. "/rpyc"); other upgrade requests are left to other listeners. Default: any path. */
  readonly path?: string;
  /** Address to bind (own port only). Default "127.0.0.1". */
  readonly host?: string;
  /** Port to bind (own port only); 0 picks a free one. Default 0. */
  readonly port?: number;
  /** WebSockets open at once; further upgrades get HTTP 503. Default 1024. */
  readonly maxConnections?: number;
  /** Largest message accepted (ws `maxPayload`). Default: `config.limits.maxFrameBytes` or 64 MiB. */
  readonly maxFrameBytes?: number;
  /** `bufferedAmount` bound per connection. Default 128 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * Bytes owed to a client above which its messages wait (and its socket is paused) until they
   * drain: backpressure. Default `DEFAULT_WS_HIGH_WATER_BYTES` (8 MiB).
   */
  readonly highWaterBytes?: number;
  /**
   * Decides from the upgrade request whether a client may connect: return (or resolve to) the
   * credentials (`conn.credentials`), or throw (reject) to refuse with HTTP 401.
   */
  readonly authenticator?: (request: IncomingMessage) => unknown;
  /** Receives errors of single sockets (failed handshakes, refused upgrades). */
  readonly onError?: (error: unknown) => void;
}

/**
 * A listening rpyc-ts WebSocket server.
 *
 * @example
 * const server: WsServer = await serve(EchoService, { path: "/rpyc" });
 * console.log(server.url, server.connections.size);
 */
export interface WsServer {
  /** Bound address and port (of the attached server, when attached). */
  readonly host: string | undefined;
  readonly port: number;
  /** `ws://host:port/path` of this server (own port); a hint only when attached. */
  readonly url: string;
  /** Live connections (after the rpyc handshake). */
  readonly connections: ReadonlySet<Connection>;
  /** WebSockets open now, including those still handshaking. */
  readonly socketCount: number;
  /**
   * Stops accepting, lets in-flight calls finish for up to `timeout` ms (default 5000), closes
   * every connection and, when it owns its port, the HTTP server. An attached `http.Server` is
   * left running. Resolves when no socket or timer of the server is left. Idempotent.
   */
  close(options?: { readonly timeout?: number }): Promise<void>;
}

/**
 * Default cap on open WebSockets per server: 1024.
 *
 * @example
 * await serve(EchoService, { maxConnections: DEFAULT_MAX_WS_CONNECTIONS * 4 });
 */
export const DEFAULT_MAX_WS_CONNECTIONS = 1024;

/**
 * Serves `service` over WebSocket; resolves once listening.
 *
 * @example
 * import { serve } from "@rpyc/transport-ws/server";
 * const server = await serve(TimeService, { port: 0, path: "/rpyc" });
 * console.log(server.url); // ws://127.0.0.1:PORT/rpyc
 */
export async function serve(service: ServiceSpec, options: WsServeOptions = {}): Promise<WsServer> {
  const { WebSocketServer } = await loadWs();
  const server = new WsServerImpl(service, options, WebSocketServer);
  await server.listen();
  return server;
}

class WsServerImpl implements WsServer {
  readonly connections = new Set<Connection>();
  readonly #sockets = new Set<WebSocket>();
  /** Sockets whose rpyc connection is established. */
  readonly #connected = new WeakSet<WebSocket>();
  readonly #wss: WebSocketServer;
  readonly #http: HttpServer;
  readonly #ownsHttp: boolean;
  readonly #service: ServiceSpec;
  readonly #options: WsServeOptions;
  readonly #maxFrameBytes: number;
  #closing: Promise<void> | undefined;

  constructor(
    service: ServiceSpec,
    options: WsServeOptions,
    WebSocketServerClass: typeof WebSocketServer,
  ) {
    this.#service = service;
    this.#options = options;
    this.#maxFrameBytes =
      options.maxFrameBytes ?? options.config?.limits?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#wss = new WebSocketServerClass({
      noServer: true,
      maxPayload: this.#maxFrameBytes,
      perMessageDeflate: false,
    });
    this.#ownsHttp = options.server === undefined;
    this.#http =
      options.server ??
      createServer((_request, response) => {
        response.writeHead(426, { "content-type": "text/plain" });
        response.end("rpyc-ts WebSocket endpoint: connect with a WebSocket client\n");
      });
    this.#http.on("upgrade", this.#onUpgrade);
  }

  get host(): string | undefined {
    const address = this.#http.address() as AddressInfo | null;
    return address?.address;
  }
  get port(): number {
    const address = this.#http.address() as AddressInfo | null;
    return address?.port ?? 0;
  }
  get url(): string {
    const host = this.host ?? "127.0.0.1";
    return `ws://${host.includes(":") ? `[${host}]` : host}:${this.port}${this.#options.path ?? "/"}`;
  }
  get socketCount(): number {
    return this.#sockets.size;
  }

  listen(): Promise<void> {
    if (!this.#ownsHttp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#http.once("error", reject);
      this.#http.listen(this.#options.port ?? 0, this.#options.host ?? "127.0.0.1", () => {
        this.#http.off("error", reject);
        resolve();
      });
    });
  }

  close(options: { readonly timeout?: number } = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.timeout ?? 5000);
    return this.#closing;
  }

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = this.#options.path;
    if (path !== undefined && new URL(request.url ?? "/", "http://x").pathname !== path) {
      if (this.#ownsHttp) refuse(socket, 404, "Not Found");
      return; // attached: another upgrade listener may serve this path
    }
    if (this.#closing) return refuse(socket, 503, "Service Unavailable");
    if (this.#sockets.size >= (this.#options.maxConnections ?? DEFAULT_MAX_WS_CONNECTIONS)) {
      return refuse(socket, 503, "Service Unavailable");
    }
    const authenticator = this.#options.authenticator;
    if (!authenticator) {
      this.#wss.handleUpgrade(
        request,
        socket,
        head,
        (ws) => void this.#accept(ws, socket, undefined),
      );
      return;
    }
    socket.on("error", () => {}); // the client may leave while we authenticate
    Promise.resolve()
      .then(() => authenticator(request))
      .then(
        (credentials) => {
          if (this.#closing || socket.destroyed) return void socket.destroy();
          this.#wss.handleUpgrade(
            request,
            socket,
            head,
            (ws) => void this.#accept(ws, socket, credentials),
          );
        },
        (error: unknown) => {
          this.#options.onError?.(error);
          refuse(socket, 401, "Unauthorized");
        },
      );
  };

  async #accept(ws: WebSocket, socket: Duplex, credentials: unknown): Promise<void> {
    this.#sockets.add(ws);
    ws.once("close", () => this.#sockets.delete(ws));
    ws.on("error", (error) => this.#options.onError?.(error));
    const {
      server: _s,
      path: _p,
      host: _h,
      port: _o,
      maxConnections: _m,
      maxFrameBytes: _f,
      maxBufferedBytes,
      highWaterBytes,
      authenticator: _a,
      onError: _e,
      ...connectOptions
    } = this.#options;
    const owed = pauseWhileOwed(ws, socket, highWaterBytes ?? DEFAULT_WS_HIGH_WATER_BYTES);
    const transport = createWebSocketTransport(owed, {
      maxFrameBytes: this.#maxFrameBytes,
      maxBufferedBytes,
    });
    let conn: Connection;
    try {
      conn = await connectTransport(transport, {
        ...connectOptions,
        service: this.#service,
        credentials,
      });
    } catch (error) {
      this.#options.onError?.(error);
      ws.terminate();
      return;
    }
    if (this.#closing) {
      void conn.close();
      return;
    }
    this.connections.add(conn);
    this.#connected.add(ws);
    conn.on("close", (error) => {
      this.connections.delete(conn);
      if (error) this.#options.onError?.(error);
    });
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#http.off("upgrade", this.#onUpgrade);
    const deadline = Date.now() + timeoutMs;
    // Sockets still handshaking have no calls in flight: drop them now.
    for (const ws of this.#sockets) if (!this.#connected.has(ws)) ws.terminate();
    await closeGracefully([...this.connections], deadline);
    // Each closed connection runs the closing handshake; a peer that does not finish it within
    // the linger is cut off.
    const sockets = [...this.#sockets];
    const allClosed = Promise.all(
      sockets.map((ws) => new Promise((resolve) => ws.once("close", resolve))),
    );
    await waitAtMost(allClosed, CLOSE_LINGER_MS);
    for (const ws of sockets) ws.terminate();
    await allClosed;
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    if (this.#ownsHttp) {
      await new Promise<void>((resolve) => {
        this.#http.close(() => resolve());
        this.#http.closeAllConnections();
      });
    }
  }
}

/** How long a closing server lets peers finish their closing handshake before cutting them off. */
const CLOSE_LINGER_MS = 1000;

function refuse(socket: Duplex, status: number, text: string): void {
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
