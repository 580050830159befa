/**
 * rpyc-ts over WebSocket: `serve()` from @rpyc/transport-ws/server and the Node client
 * `connect()` from @rpyc/transport-ws/node (the `ws` package; Node 20 has no global WebSocket),
 * with the shared `BenchService` and driver (rpyc-service.ts).
 */
import type { Connection } from "@rpyc/core";
import { connect } from "@rpyc/transport-ws/node";
import { serve } from "@rpyc/transport-ws/server";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { BenchService, rpycDriver, sumTables } from "./rpyc-service.ts";

/** Above the memory run's 5,000 idle connections (the default cap is 1,024). */
const MAX_CONNECTIONS = 20_000;

export async function startServer(): Promise<BenchServer> {
  const server = await serve(BenchService, {
    host: "127.0.0.1",
    port: 0,
    maxConnections: MAX_CONNECTIONS,
  });
  return {
    port: server.port,
    connections: () => server.connections.size,
    tables: () => sumTables(server.connections),
    close: () => server.close({ timeout: 0 }),
  };
}

export async function connectClient(port: number): Promise<ClientDriver> {
  return rpycDriver((await connect(`ws://127.0.0.1:${port}/`)) as Connection<BenchService>);
}
