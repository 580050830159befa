/**
 * `pnpm client PATH`: prints the changes of PATH (relative to the server's root) as the server
 * reports them, until Ctrl-C. `--poll` asks for stat polling instead of `fs.watch`.
 */
import { release, type Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { parseArgs } from "node:util";
import { formatFileEvent, type FileEvent } from "./file-event.ts";
import type { FileMonitorService } from "./file-monitor-service.ts";
import { DEFAULT_FILEMON_PORT } from "./server.ts";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(DEFAULT_FILEMON_PORT) },
      poll: { type: "boolean", default: false },
      interval: { type: "string", default: "1000" },
    },
  });
  const path = positionals[0] ?? ".";
  const conn = await connect(values.host, Number(values.port));
  const root = conn.root as Remote<FileMonitorService>;
  // Runs here, called by the server for every change.
  const onEvent = (event: FileEvent) => console.log(formatFileEvent(event));
  const sub = await root.watch(path, onEvent, {
    mode: values.poll ? "poll" : "watch",
    intervalMs: Number(values.interval),
  });
  console.log(`watching ${await sub.path()} on ${values.host}:${values.port} (Ctrl-C stops)`);
  process.once("SIGINT", () => {
    void (async () => {
      await sub.cancel();
      release(sub);
      await conn.close();
    })();
  });
}

main().catch((err: unknown) => {
  console.error(`file monitor client: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
