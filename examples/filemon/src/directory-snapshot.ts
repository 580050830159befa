/**
 * What a directory looks like at one moment, and the events that turn one snapshot into the
 * next. Both watch modes use it: `fs.watch` only says "something happened here", and polling
 * (the seed's `os.stat` loop) says nothing at all, so either way the truth comes from comparing
 * snapshots. The diff is a pure function, tested without a file system.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { FileEvent } from "./file-event.ts";

/** The `stat` fields that identify a file and tell whether it changed. */
export interface EntryStat {
  /** Inode number: the same file keeps it across a rename. */
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Name → stat, for the entries of one directory (not recursive). */
export type Snapshot = Map<string, EntryStat>;

/**
 * Reads `dir`'s entries. A directory that does not exist reads as empty (everything in it was
 * deleted); an entry that vanishes between `readdir` and `lstat` is left out. Throws past
 * `maxEntries` entries rather than scanning without bound.
 *
 * @example
 * const before = await takeSnapshot("/tmp/watched", 10_000);
 */
export async function takeSnapshot(dir: string, maxEntries: number): Promise<Snapshot> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return new Map();
    throw err;
  }
  if (names.length > maxEntries) {
    throw new Error(`${dir} has ${names.length} entries, more than the limit of ${maxEntries}`);
  }
  const stats = await Promise.all(
    names.map((name) =>
      lstat(join(dir, name)).then(
        (s): [string, EntryStat] => [
          name,
          { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs },
        ],
        () => undefined,
      ),
    ),
  );
  return new Map(stats.filter((entry) => entry !== undefined));
}

/**
 * The events that lead from `before` to `after`; `pathOf(name)` makes an event path from an
 * entry name. A name that disappeared while its inode showed up under a new name is a rename;
 * otherwise new names are creates, vanished ones deletes, and a name whose size or times moved
 * is a change.
 *
 * @example
 * diffSnapshots(before, after, (name) => name); // [{ kind: "create", path: "a.txt", … }]
 */
export function diffSnapshots(
  before: Snapshot,
  after: Snapshot,
  pathOf: (name: string) => string,
): FileEvent[] {
  const events: FileEvent[] = [];
  // Inodes that left their old name: candidates for the source of a rename.
  const gone = new Map<number, string>();
  for (const [name, old] of before) {
    const now = after.get(name);
    if (!now || now.ino !== old.ino) gone.set(old.ino, name);
  }
  const renamedFrom = new Set<string>();
  for (const [name, now] of after) {
    const old = before.get(name);
    if (old && old.ino === now.ino) {
      if (old.size !== now.size || old.mtimeMs !== now.mtimeMs || old.ctimeMs !== now.ctimeMs) {
        events.push(eventFor("change", pathOf(name), now));
      }
      continue;
    }
    const source = gone.get(now.ino);
    if (source !== undefined && source !== name) {
      renamedFrom.add(source);
      events.push({ ...eventFor("rename", pathOf(name), now), oldPath: pathOf(source) });
    } else {
      // A new name, or an old name now holding another file (deleted and re-created).
      events.push(eventFor(old ? "change" : "create", pathOf(name), now));
    }
  }
  for (const [name] of before) {
    if (!after.has(name) && !renamedFrom.has(name)) {
      events.push({ kind: "delete", path: pathOf(name), size: null, mtime: null });
    }
  }
  return events;
}

function eventFor(kind: "create" | "change" | "rename", path: string, stat: EntryStat): FileEvent {
  return { kind, path, size: stat.size, mtime: Math.round(stat.mtimeMs) };
}
