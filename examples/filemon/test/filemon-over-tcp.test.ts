/**
 * The file monitor end to end: the real server on 127.0.0.1 (free port) watching a temp dir,
 * clients over real tcp.
 */
import { release, type Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { appendFile, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FileEvent } from "../src/file-event.ts";
import type { FileMonitorService } from "../src/file-monitor-service.ts";
import { startFileMonitorServer, type FileMonitorServer } from "../src/server.ts";
import type { FileMonitorLimits } from "../src/watch-hub.ts";

/** Waits for a condition (events, not sleeps); generous, since CI runs every project at once. */
const until = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 5000, interval: 10 });

let dir: string;
let monitor: FileMonitorServer;
const cleanups: (() => Promise<unknown>)[] = [];

async function start(limits?: Partial<FileMonitorLimits>) {
  monitor = await startFileMonitorServer({ root: dir, port: 0, limits });
  cleanups.push(() => monitor.close());
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "filemon-e2e-"));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(monitor.hub.watcherCount).toBe(0);
  await rm(dir, { recursive: true, force: true });
});

/** A client with an event inbox, its server-side twin, and a leak check for both. */
async function client() {
  const before = new Set(monitor.server.connections);
  const conn = await connect("127.0.0.1", monitor.server.port);
  cleanups.push(() => conn.close());
  const server = await until(() => {
    const added = [...monitor.server.connections].find((c) => !before.has(c));
    if (!added) throw new Error("the server has not seen the connection yet");
    return added;
  });
  const baseline = { client: conn.stats(), server: server.stats() };
  const events: FileEvent[] = [];
  return {
    conn,
    server,
    root: conn.root as Remote<FileMonitorService>,
    events,
    onEvent: (e: FileEvent) => void events.push(e),
    seen: (expected: Partial<FileEvent>) =>
      until(() => expect(events).toContainEqual(expect.objectContaining(expected))),
    backToBaseline: () =>
      until(() => {
        expect(conn.stats()).toEqual(baseline.client);
        expect(server.stats()).toEqual(baseline.server);
      }),
  };
}

describe.each([["watch"], ["poll"]] as const)("file monitor over tcp (%s mode)", (mode) => {
  it("reports write, append, rename and delete, and stops after unsubscribe", async () => {
    await start();
    const c = await client();
    const options = { mode, intervalMs: 20 };
    const sub = await c.root.watch(".", c.onEvent, options);
    expect(await sub.path()).toBe(".");
    // A second subscriber on the same connection, subscribed after `sub`: once it has an
    // event, `sub` would have had it too (same watcher, same connection, in order).
    const barrier: FileEvent[] = [];
    const barrierSub = await c.root.watch(".", (e: FileEvent) => void barrier.push(e), options);
    expect(monitor.hub.watcherCount).toBe(1); // shared

    await writeFile(join(dir, "a.txt"), "hello");
    await c.seen({ kind: "create", path: "a.txt" });
    await c.seen({ path: "a.txt", size: 5 });
    await appendFile(join(dir, "a.txt"), ", world");
    await c.seen({ kind: "change", path: "a.txt", size: 12 });
    await rename(join(dir, "a.txt"), join(dir, "b.txt"));
    await c.seen({ kind: "rename", path: "b.txt", oldPath: "a.txt", size: 12 });
    await unlink(join(dir, "b.txt"));
    await c.seen({ kind: "delete", path: "b.txt", size: null, mtime: null });
    expect(c.events.find((e) => e.kind === "create")!.mtime).toBeGreaterThan(0);

    await sub.cancel();
    expect(await sub.isActive()).toBe(false);
    const before = c.events.length;
    await writeFile(join(dir, "after.txt"), "x");
    await until(() =>
      expect(barrier).toContainEqual(expect.objectContaining({ path: "after.txt" })),
    );
    expect(c.events.length).toBe(before);

    await barrierSub.cancel();
    release(sub);
    release(barrierSub);
    expect(monitor.hub.watcherCount).toBe(0);
    await c.backToBaseline();
  });
});

describe("file monitor over tcp", () => {
  it("releases a disconnected client's watchers, and other clients carry on", async () => {
    await start();
    const stays = await client();
    const leaves = await client();
    const kept = await stays.root.watch("kept.txt", stays.onEvent);
    await leaves.root.watch(".", leaves.onEvent);
    await leaves.root.watch("gone.txt", leaves.onEvent, { mode: "poll", intervalMs: 20 });
    expect(monitor.hub.watcherCount).toBe(3);
    expect(monitor.hub.subscriberCount).toBe(3);

    await leaves.conn.close();
    await until(() => expect(monitor.hub.watcherCount).toBe(1));
    expect(monitor.hub.subscriberCount).toBe(1);

    await writeFile(join(dir, "kept.txt"), "still here");
    await stays.seen({ kind: "create", path: "kept.txt" });
    await kept.cancel();
    release(kept);
    expect(monitor.hub.watcherCount).toBe(0);
    await stays.backToBaseline();
  });

  it("never lets a hanging client delay the others; it is dropped when its queue overflows", async () => {
    // maxQueued 2: the hanging client holds one event in flight and two queued, then is
    // dropped. (The time-out path is covered in core's delivery-queue.test.ts, without timing.)
    await start({ maxQueued: 2 });
    const fast = await client();
    const slow = await client();
    const stuck: (() => void)[] = [];
    // The slow client's callback never answers (until the end of the test).
    const slowSub = await slow.root.watch(".", () => new Promise<void>((r) => stuck.push(r)));
    const fastSub = await fast.root.watch(".", fast.onEvent);
    for (const name of ["1", "2", "3", "4"]) {
      await writeFile(join(dir, name), name);
      await fast.seen({ kind: "create", path: name });
    }
    await until(async () => expect(await slowSub.isActive()).toBe(false));
    expect(monitor.hub.subscriberCount).toBe(1);
    expect(stuck).toHaveLength(1); // one call went out; the rest never left the server's queue

    for (const answer of stuck) answer();
    await fastSub.cancel();
    for (const sub of [slowSub, fastSub]) release(sub);
    await fast.backToBaseline();
    await slow.backToBaseline();
  });

  it("answers bad requests with coded errors and keeps serving", async () => {
    await start();
    const c = await client();
    await expect(c.root.watch("../../etc", c.onEvent)).rejects.toMatchObject({
      code: "RPYC_ERR_FILEMON_OUTSIDE_ROOT",
    });
    await expect(c.root.watch("missing/dir/file", c.onEvent)).rejects.toMatchObject({
      code: "RPYC_ERR_FILEMON_NOT_FOUND",
    });
    await expect(
      c.root.watch(".", c.onEvent, { mode: "sometimes" as never }),
    ).rejects.toMatchObject({ code: "RPYC_ERR_FILEMON_BAD_REQUEST" });
    const sub = await c.root.watch(".", c.onEvent);
    await sub.cancel();
    release(sub);
    await c.backToBaseline();
  });
});
