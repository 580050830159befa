/**
 * rpyc-ts over TCP: `serve()` and `connect()` from @rpyc/transport-tcp, with the shared
 * `BenchService` and driver (rpyc-service.ts).
 */
import { connect, serve } from "@rpyc/transport-tcp";
import type { Connection } from "@rpyc/core";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { BenchService, SERVE_OPTIONS, benchServer, rpycDriver } from "./rpyc-service.ts";

export async function startServer(): Promise<BenchServer> {
  return benchServer(await serve(BenchService, SERVE_OPTIONS));
}

export async function connectClient(port: number): Promise<ClientDriver> {
  return rpycDriver((await connect("127.0.0.1", port)) as Connection<BenchService>);
}
