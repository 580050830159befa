import { describe, expect, it } from "vitest";
import { diffSnapshots, type EntryStat, type Snapshot } from "../src/directory-snapshot.ts";

const stat = (ino: number, size = 0, mtimeMs = 1000): EntryStat => ({
  ino,
  size,
  mtimeMs,
  ctimeMs: mtimeMs,
});
const snap = (entries: Record<string, EntryStat>): Snapshot => new Map(Object.entries(entries));
const diff = (a: Snapshot, b: Snapshot) => diffSnapshots(a, b, (name) => `d/${name}`);

describe("diffSnapshots", () => {
  it("reports creates, changes and deletes", () => {
    expect(diff(snap({ a: stat(1) }), snap({ a: stat(1, 5, 2000), b: stat(2, 3) }))).toEqual([
      { kind: "change", path: "d/a", size: 5, mtime: 2000 },
      { kind: "create", path: "d/b", size: 3, mtime: 1000 },
    ]);
    expect(diff(snap({ a: stat(1) }), snap({}))).toEqual([
      { kind: "delete", path: "d/a", size: null, mtime: null },
    ]);
    expect(diff(snap({ a: stat(1) }), snap({ a: stat(1) }))).toEqual([]);
  });

  it("recognises a rename by the inode, also over an existing name", () => {
    expect(diff(snap({ a: stat(1, 4) }), snap({ b: stat(1, 4) }))).toEqual([
      { kind: "rename", path: "d/b", oldPath: "d/a", size: 4, mtime: 1000 },
    ]);
    expect(diff(snap({ a: stat(1), b: stat(2) }), snap({ b: stat(1) }))).toEqual([
      { kind: "rename", path: "d/b", oldPath: "d/a", size: 0, mtime: 1000 },
    ]);
  });

  it("calls a name that now holds another file a change", () => {
    expect(diff(snap({ a: stat(1) }), snap({ a: stat(7, 9) }))).toEqual([
      { kind: "change", path: "d/a", size: 9, mtime: 1000 },
    ]);
  });
});
