/**
 * Diagnostic contender (not in the default table): rpyc-ts core's `connectStream` straight on a
 * `net.Socket`, no transport package. Comparing it with `rpyc-tcp` isolates what
 * @rpyc/transport-tcp adds; it also let the profiles start before that package landed.
 */
import { connectStream, type Connection } from "@rpyc/core";
import { once } from "node:events";
import { createServer, connect, type Socket } from "node:net";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { BenchService, rpycDriver, sumTables } from "./rpyc-service.ts";

export async function startServer(): Promise<BenchServer> {
  const conns = new Set<Connection>();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    connectStream(socket, { service: BenchService }).then(
      (conn) => {
        conns.add(conn);
        conn.on("close", () => conns.delete(conn));
      },
      () => socket.destroy(),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("rpyc-stream: no port");
  return {
    port: address.port,
    connections: () => conns.size,
    tables: () => sumTables(conns),
    close: async () => {
      await Promise.all([...conns].map((c) => c.close()));
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

export async function connectClient(port: number): Promise<ClientDriver> {
  const socket = connect({ host: "127.0.0.1", port, noDelay: true });
  await once(socket, "connect");
  return rpycDriver(await connectStream<BenchService>(socket));
}
