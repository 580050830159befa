/**
 * rpyc-ts over TCP: `serve()` and `connect()` from @rpyc/transport-tcp, with the shared
 * `BenchService` and driver (rpyc-service.ts).
 */
import { connect, serve } from "@rpyc/transport-tcp";
import type { Connection } from "@rpyc/core";
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
  return rpycDriver((await connect("127.0.0.1", port)) as Connection<BenchService>);
}
