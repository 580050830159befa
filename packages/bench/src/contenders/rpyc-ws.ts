/**
 * rpyc-ts over WebSocket: `serve()` from @rpyc/transport-ws/server and the Node client
 * `connect()` from @rpyc/transport-ws/node (the `ws` package; Node 20 has no global WebSocket),
 * with the shared `BenchService` and driver (rpyc-service.ts).
 */
import type { Connection } from "@rpyc/core";
import { connect } from "@rpyc/transport-ws/node";
import { serve } from "@rpyc/transport-ws/server";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { BenchService, SERVE_OPTIONS, benchServer, rpycDriver } from "./rpyc-service.ts";

export async function startServer(): Promise<BenchServer> {
  return benchServer(await serve(BenchService, SERVE_OPTIONS));
}

export async function connectClient(port: number): Promise<ClientDriver> {
  return rpycDriver((await connect(`ws://127.0.0.1:${port}/`)) as Connection<BenchService>);
}
