/**
 * The file monitor server: serves `FileMonitorService` over tcp for one root directory.
 * Run it with `pnpm server --root DIR [--host 127.0.0.1] [--port 18871]`.
 */
import { serve, type Server } from "@rpyc/transport-tcp";
import { parseArgs } from "node:util";
import { fileMonitorServiceFor } from "./file-monitor-service.ts";
import { isMain } from "./is-main.ts";
import { WatchHub, type FileMonitorLimits } from "./watch-hub.ts";

/** The port `pnpm server` listens on unless told otherwise (the seed's filemon used 18871). */
export const DEFAULT_FILEMON_PORT = 18871;

export interface FileMonitorServerOptions {
  /** The directory clients may watch (paths are relative to it). Required. */
  root: string;
  /** Interface to bind. Default "127.0.0.1". */
  host?: string;
  /** Port; 0 picks a free one. Default `DEFAULT_FILEMON_PORT`. */
  port?: number;
  limits?: Partial<FileMonitorLimits>;
}

/** A running file monitor: the tcp server and the hub that owns every watcher. */
export interface FileMonitorServer {
  server: Server;
  hub: WatchHub;
  /** Stops serving, then closes every watcher. */
  close(): Promise<void>;
}

/**
 * Starts a file monitor for `root`.
 *
 * @example
 * const { server, close } = await startFileMonitorServer({ root: "/srv/data", port: 0 });
 * console.log(`watching /srv/data for clients on port ${server.port}`);
 * await close();
 */
export async function startFileMonitorServer(
  options: FileMonitorServerOptions,
): Promise<FileMonitorServer> {
  const hub = new WatchHub(options.root, { limits: options.limits });
  const server = await serve(fileMonitorServiceFor(hub), {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? DEFAULT_FILEMON_PORT,
  });
  return {
    server,
    hub,
    async close() {
      await server.close();
      await hub.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: "string", default: process.cwd() },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(DEFAULT_FILEMON_PORT) },
    },
  });
  const monitor = await startFileMonitorServer({
    root: values.root,
    host: values.host,
    port: Number(values.port),
  });
  const { host, port } = monitor.server;
  console.log(
    `file monitor: clients on ${host}:${port} may watch ${monitor.hub.root} (Ctrl-C stops)`,
  );
  const stop = () => void monitor.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`file monitor: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
