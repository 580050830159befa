import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FileEvent } from "../src/file-event.ts";
import { FileMonitorService } from "../src/file-monitor-service.ts";
import { WatchHub } from "../src/watch-hub.ts";

/** Waits for a condition (events, not sleeps); generous, since CI runs every project at once. */
const until = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 5000, interval: 10 });

describe("WatchHub", () => {
  let root: string;
  let hub: WatchHub;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "filemon-hub-"));
    hub = new WatchHub(root);
  });
  afterEach(async () => {
    await hub.close();
    expect(hub.watcherCount).toBe(0);
    await rm(root, { recursive: true, force: true });
  });

  const waitFor = until;

  it("shares one watcher per path and closes it with the last subscriber", async () => {
    const a: FileEvent[] = [];
    const b: FileEvent[] = [];
    const subA = await hub.subscribe(".", (e: FileEvent) => void a.push(e));
    const subB = await hub.subscribe(".", (e: FileEvent) => void b.push(e));
    const subPoll = await hub.subscribe(".", () => {}, { mode: "poll", intervalMs: 50 });
    expect(hub.watcherCount).toBe(2);
    expect(hub.subscriberCount).toBe(3);
    await writeFile(join(root, "x"), "1");
    await waitFor(() =>
      expect(b).toContainEqual(expect.objectContaining({ kind: "create", path: "x" })),
    );
    await subA.cancel();
    expect(subA.active).toBe(false);
    await appendFile(join(root, "x"), "2");
    await waitFor(() =>
      expect(b).toContainEqual(expect.objectContaining({ kind: "change", size: 2 })),
    );
    expect(a.some((e) => e.size === 2)).toBe(false); // unsubscribed: nothing more for a
    await subB.cancel();
    await subPoll.cancel();
    expect(hub.watcherCount).toBe(0);
    expect(hub.subscriberCount).toBe(0);
  });

  it("keeps delivering to others while one subscriber hangs, and drops a failing one", async () => {
    const small = new WatchHub(root, { limits: { maxQueued: 2 } });
    const fast: FileEvent[] = [];
    const hanging = await small.subscribe(".", () => new Promise(() => {}));
    const failing = await small.subscribe(".", () => {
      throw new Error("client gone");
    });
    await small.subscribe(".", (e: FileEvent) => void fast.push(e));
    for (let i = 0; i < 5; i++) {
      await writeFile(join(root, `f${i}`), "x");
      await waitFor(() => expect(fast).toContainEqual(expect.objectContaining({ path: `f${i}` })));
    }
    expect(failing.active).toBe(false);
    expect(hanging.active).toBe(false); // overflowed its queue of 2
    expect(small.subscriberCount).toBe(1);
    await small.close();
    expect(small.watcherCount).toBe(0);
  });

  it("refuses paths outside the root, also through a symlink, and missing directories", async () => {
    const outside = await mkdtemp(join(tmpdir(), "filemon-outside-"));
    try {
      await symlink(outside, join(root, "escape"));
      await mkdir(join(root, "sub"));
      for (const path of ["..", "../x", "/etc/passwd", "escape/file", "escape"]) {
        await expect(hub.subscribe(path, () => {})).rejects.toMatchObject({
          code: "RPYC_ERR_FILEMON_OUTSIDE_ROOT",
        });
      }
      await expect(hub.subscribe("nope/file", () => {})).rejects.toMatchObject({
        code: "RPYC_ERR_FILEMON_NOT_FOUND",
      });
      for (const [path, cb, options] of [
        ["", () => {}, {}],
        [42, () => {}, {}],
        ["sub", "not a function", {}],
        ["sub", () => {}, { mode: "inotify" }],
        ["sub", () => {}, { mode: "poll", intervalMs: 0 }],
      ] as const) {
        await expect(hub.subscribe(path, cb, options as never)).rejects.toMatchObject({
          code: "RPYC_ERR_FILEMON_BAD_REQUEST",
        });
      }
      const ok = await hub.subscribe("sub/new-file", () => {});
      expect(ok.path).toBe("sub/new-file");
      expect(hub.watcherCount).toBe(1);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe("FileMonitorService", () => {
  it("leaves no watcher behind when the connection closes while a watch is starting", async () => {
    const root = await mkdtemp(join(tmpdir(), "filemon-svc-"));
    const hub = new WatchHub(root);
    try {
      const service = new FileMonitorService(hub);
      const watching = service.watch(".", () => {});
      service.onDisconnect();
      await expect(watching).rejects.toMatchObject({ code: "RPYC_ERR_FILEMON_BAD_REQUEST" });
      expect(hub.watcherCount).toBe(0);
    } finally {
      await hub.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
