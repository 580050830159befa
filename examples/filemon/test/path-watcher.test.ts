import { appendFile, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FileEvent } from "../src/file-event.ts";
import { PathWatcher, type WatchMode } from "../src/path-watcher.ts";

/** Waits for a condition (events, not sleeps); generous, since CI runs every project at once. */
const until = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 5000, interval: 10 });

describe.each<[WatchMode]>([["watch"], ["poll"]])("PathWatcher in %s mode", (mode) => {
  let dir: string;
  let watcher: PathWatcher | undefined;
  const events: FileEvent[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "filemon-"));
    events.length = 0;
  });
  afterEach(async () => {
    await watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (target: string) => {
    watcher = await PathWatcher.start(target, (batch) => events.push(...batch), {
      mode,
      intervalMs: 20,
      pathOf: (abs) => abs.slice(dir.length + 1),
    });
  };
  const seen = (expected: Partial<FileEvent>) =>
    until(() => expect(events).toContainEqual(expect.objectContaining(expected)));

  it("reports write, append, rename and delete in a directory", async () => {
    await start(dir);
    expect(watcher!.mode).toBe(mode);
    await writeFile(join(dir, "a.txt"), "hello");
    await seen({ kind: "create", path: "a.txt" });
    await seen({ path: "a.txt", size: 5 });
    await appendFile(join(dir, "a.txt"), " world");
    await seen({ kind: "change", path: "a.txt", size: 11 });
    await rename(join(dir, "a.txt"), join(dir, "b.txt"));
    await seen({ kind: "rename", path: "b.txt", oldPath: "a.txt", size: 11 });
    await unlink(join(dir, "b.txt"));
    await seen({ kind: "delete", path: "b.txt", size: null, mtime: null });
    expect(events.filter((e) => e.kind === "delete")).toHaveLength(1);
    expect(events.find((e) => e.kind === "create")?.mtime).toBeTypeOf("number");
  });

  it("watches a single file, also before it exists, and ignores its neighbours", async () => {
    const file = join(dir, "notes.txt");
    await start(file);
    await writeFile(join(dir, "other.txt"), "x");
    await writeFile(file, "1");
    await seen({ kind: "create", path: "notes.txt" });
    await appendFile(file, "23");
    await seen({ kind: "change", path: "notes.txt", size: 3 });
    await unlink(file);
    await seen({ kind: "delete", path: "notes.txt" });
    expect(events.every((e) => e.path === "notes.txt")).toBe(true);
  });
});
