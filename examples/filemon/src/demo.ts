/**
 * `pnpm demo`: the file monitor in one process. Starts a server on a temporary directory,
 * connects a client over tcp that watches it, then writes, appends to, renames and deletes a
 * file, printing each event the server calls back with. Cleans up and exits 0.
 */
import { release, type Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { appendFile, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatFileEvent, type FileEvent } from "./file-event.ts";
import type { FileMonitorService } from "./file-monitor-service.ts";
import { startFileMonitorServer } from "./server.ts";

async function demo(): Promise<void> {
  console.log("rpyc-ts file monitor demo: the server calls the client back on every change\n");
  const dir = await mkdtemp(join(tmpdir(), "rpyc-filemon-demo-"));
  const monitor = await startFileMonitorServer({ root: dir, port: 0 });
  const { port } = monitor.server;
  const host = monitor.server.host ?? "127.0.0.1";
  console.log(`[server] watching ${dir} for clients on ${host}:${port}`);
  const conn = await connect(host, port);
  try {
    const root = conn.root as Remote<FileMonitorService>;
    // Each step waits for the event it causes (a write may also show up as create + change).
    const waiting: { match: (e: FileEvent) => boolean; resolve: () => void }[] = [];
    const onEvent = (event: FileEvent) => {
      console.log(`[client] event: ${formatFileEvent(event)}`);
      const i = waiting.findIndex((w) => w.match(event));
      if (i >= 0) waiting.splice(i, 1)[0]!.resolve();
    };

    const sub = await root.watch(".", onEvent);
    console.log(`[client] subscribed to "." (fs.watch mode)\n`);
    const file = join(dir, "notes.txt");
    const step = async (what: string, expected: Partial<FileEvent>, act: () => Promise<void>) => {
      console.log(`[demo]   ${what}`);
      const match = (e: FileEvent) =>
        Object.entries(expected).every(([k, v]) => e[k as keyof FileEvent] === v);
      const seen = new Promise<void>((resolve) => waiting.push({ match, resolve }));
      await act();
      await seen;
    };
    await step("write notes.txt", { path: "notes.txt", size: 5 }, () => writeFile(file, "hello"));
    await step("append to notes.txt", { kind: "change", size: 12 }, () =>
      appendFile(file, ", world"),
    );
    await step("rename notes.txt to todo.txt", { kind: "rename" }, () =>
      rename(file, join(dir, "todo.txt")),
    );
    await step("delete todo.txt", { kind: "delete" }, () => unlink(join(dir, "todo.txt")));
    await sub.cancel();
    release(sub);
    console.log(
      `\n[client] unsubscribed; the server now runs ${monitor.hub.watcherCount} watchers`,
    );
  } finally {
    await conn.close();
    await monitor.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log("done: four changes, four callbacks from the server.");
}

demo().catch((err: unknown) => {
  console.error(
    `\nfile monitor demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exitCode = 1;
});
