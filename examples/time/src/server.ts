/**
 * The time server, after RPyC's demos/time/server.py: serves `TimeService` over tcp and, when
 * given a registry, registers it there under "TIME" so clients can find it by name.
 * Run it with `pnpm server [--host 127.0.0.1] [--port 18861] [--registry udp:127.0.0.1:18811]`.
 */
import type { RegistryClient } from "@rpyc/registry";
import { serve, type Server } from "@rpyc/transport-tcp";
import { parseArgs } from "node:util";
import { isMain } from "./is-main.ts";
import { registryClientFor } from "./registry-address.ts";
import { TimeService } from "./time-service.ts";

/** The port `pnpm server` listens on unless told otherwise (0 means any free port). */
export const DEFAULT_TIME_PORT = 18861;

export interface TimeServerOptions {
  /** Interface to bind. Default "127.0.0.1" (loopback only). */
  host?: string;
  /** Port; 0 picks a free one. Default `DEFAULT_TIME_PORT`. */
  port?: number;
  /**
   * Where to register "TIME" (and refresh it while serving; it is unregistered on close).
   * Default: no registry, like RPyC's server without `auto_register`.
   */
  registrar?: RegistryClient;
}

/**
 * Starts a tcp server for `TimeService`: every connection gets its own service instance, whose
 * subscriptions end with the connection.
 *
 * @example
 * const server = await startTimeServer({ port: 0 });
 * console.log(`listening on ${server.host}:${server.port}`);
 * await server.close();
 */
export async function startTimeServer(options: TimeServerOptions = {}): Promise<Server> {
  return serve(TimeService, {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? DEFAULT_TIME_PORT,
    ...(options.registrar ? { registrar: options.registrar } : {}),
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(DEFAULT_TIME_PORT) },
      registry: { type: "string" },
    },
  });
  const server = await startTimeServer({
    host: values.host,
    port: Number(values.port),
    registrar: values.registry === undefined ? undefined : registryClientFor(values.registry),
  });
  const where = values.registry === undefined ? "" : `, registered as TIME at ${values.registry}`;
  console.log(
    `time server: serving TimeService on ${server.host}:${server.port}${where} (Ctrl-C stops)`,
  );
  const stop = () => {
    console.log("time server: stopping");
    void server.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`time server: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
