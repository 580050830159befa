/**
 * The chat server, after RPyC's demos/chat/server.py: one room, served over tcp (for the
 * terminal client) and over WebSocket (for the web page) at once. One http server carries both
 * the page and the WebSocket endpoint.
 * Run it with `pnpm server [--host 127.0.0.1] [--port 19912] [--http-port 19913] [--users FILE]`.
 */
import { serve, type Server } from "@rpyc/transport-tcp";
import { serve as serveWs, type WsServer } from "@rpyc/transport-ws/server";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { ChatRoom, type ChatLimits } from "./chat-room.ts";
import { chatServiceFor } from "./chat-service.ts";
import { createChatSite } from "./http-site.ts";
import { isMain } from "./is-main.ts";
import { DEFAULT_HTTP_PORT, DEFAULT_TCP_PORT, WS_PATH } from "./ports.ts";
import { DEFAULT_USERS_FILE, UserStore } from "./user-store.ts";

export interface ChatServerOptions {
  /** Interface to bind, for tcp and http. Default "127.0.0.1". */
  host?: string;
  /** tcp port; 0 picks a free one. Default 19912 (the seed's). */
  port?: number;
  /** http port for the page and the WebSocket endpoint; 0 picks a free one. Default 19913. */
  httpPort?: number;
  /** The user file. Default: `users.json` of this example (foo/bar, spam/bacon, eggs/viking). */
  usersFile?: string;
  limits?: Partial<ChatLimits>;
  /** Joins and leaves, for a console. Default: silent. */
  log?: (line: string) => void;
}

/** A running chat server. */
export interface ChatServer {
  room: ChatRoom;
  tcp: Server;
  /** The WebSocket endpoint, on `http` at `WS_PATH`. */
  ws: WsServer;
  http: HttpServer;
  /** The page's address, e.g. "http://127.0.0.1:19913/". */
  url: string;
  /** Stops both listeners and closes every connection (their users leave). */
  close(): Promise<void>;
}

/**
 * Starts the chat: loads the users, bundles the page, listens on tcp and http/ws.
 *
 * @example
 * const chat = await startChatServer({ port: 0, httpPort: 0 });
 * console.log(`open ${chat.url}, or connect a client to port ${chat.tcp.port}`);
 * await chat.close();
 */
export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const host = options.host ?? "127.0.0.1";
  const users = await UserStore.load(options.usersFile ?? DEFAULT_USERS_FILE);
  const room = new ChatRoom(users, { limits: options.limits, log: options.log });
  const service = chatServiceFor(room);

  const http = createServer(await createChatSite());
  const ws = await serveWs(service, { server: http, path: WS_PATH });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.httpPort ?? DEFAULT_HTTP_PORT, host, () => resolve());
  });
  const tcp = await serve(service, { host, port: options.port ?? DEFAULT_TCP_PORT });
  const { port: httpPort } = http.address() as AddressInfo;
  return {
    room,
    tcp,
    ws,
    http,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${httpPort}/`,
    async close() {
      await Promise.all([tcp.close(), ws.close()]);
      // Browsers keep idle http connections open; they must not hold the server up.
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(DEFAULT_TCP_PORT) },
      "http-port": { type: "string", default: String(DEFAULT_HTTP_PORT) },
      users: { type: "string", default: DEFAULT_USERS_FILE },
    },
  });
  const chat = await startChatServer({
    host: values.host,
    port: Number(values.port),
    httpPort: Number(values["http-port"]),
    usersFile: values.users,
    log: (line) => console.log(`chat: ${line}`),
  });
  console.log(`chat server: tcp on ${chat.tcp.host}:${chat.tcp.port}, web page on ${chat.url}`);
  console.log(
    `  terminal client: pnpm client --port ${chat.tcp.port}   (users: foo/bar, spam/bacon, eggs/viking)`,
  );
  const stop = () => {
    console.log("chat server: stopping");
    void chat.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`chat server: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
