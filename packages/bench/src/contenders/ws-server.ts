/**
 * A `ws` WebSocketServer on 127.0.0.1 (port 0) for the peers that run over WebSocket (capnweb,
 * birpc). Closing it terminates every live socket.
 */
import { once } from "node:events";
import { WebSocketServer, type WebSocket } from "ws";
import type { BenchServer } from "../driver.ts";

export async function startWsServer(
  onConnection: (socket: WebSocket) => void,
): Promise<BenchServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", onConnection);
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("ws server: no port");
  return {
    port: address.port,
    connections: () => server.clients.size,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
