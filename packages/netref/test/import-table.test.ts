import { describe, expect, it } from "vitest";
import { ImportTable } from "@rpyc/netref";

describe("ImportTable", () => {
  it("returns the same proxy for the same id while it lives, and counts receipts", () => {
    const released: [number, number][] = [];
    const table = new ImportTable((id, count) => released.push([id, count]));
    let made = 0;
    const create = () => ({ made: ++made });
    const a = table.import(7, create);
    const b = table.import(7, create);
    expect(a).toBe(b);
    expect(made).toBe(1);
    expect(table.release(7, a)).toBe(true);
    expect(released).toEqual([[7, 2]]);
    expect(table.release(7, a)).toBe(false); // idempotent
    expect(table.size).toBe(0);
  });

  it("a release of a stale proxy does nothing", () => {
    const released: [number, number][] = [];
    const table = new ImportTable((id, count) => released.push([id, count]));
    table.import(1, () => ({}));
    expect(table.release(1, {})).toBe(false);
    expect(released).toEqual([]);
  });

  it("clear() forgets everything without sending releases", () => {
    const released: [number, number][] = [];
    const table = new ImportTable((id, count) => released.push([id, count]));
    const proxy = table.import(1, () => ({}));
    table.clear();
    expect(table.size).toBe(0);
    expect(table.release(1, proxy)).toBe(false);
    expect(released).toEqual([]);
  });
});
