import { describe, expect, it } from "vitest";
import { ExportTable, OverReleaseError, UnknownRefError } from "@rpyc/netref";

describe("ExportTable", () => {
  it("counts every send and forgets an export when all are released", () => {
    const table = new ExportTable({});
    const obj = {};
    const id = table.export(obj);
    expect(table.export(obj)).toBe(id);
    expect(table.countOf(id)).toBe(2);
    table.release(id, 1);
    expect(table.get(id)).toBe(obj);
    table.release(id, 1);
    expect(table.size).toBe(0);
    expect(() => table.get(id)).toThrow(UnknownRefError);
    expect(table.export(obj)).not.toBe(id); // a new id once forgotten
  });

  it("never counts or releases the root (id 0)", () => {
    const root = {};
    const table = new ExportTable(root);
    expect(table.export(root)).toBe(0);
    expect(table.size).toBe(0);
    expect(table.get(0)).toBe(root);
    expect(() => table.release(0, 1)).toThrow(OverReleaseError);
  });

  it("refuses an over-release and leaves the entry untouched", () => {
    const table = new ExportTable({});
    const id = table.export({});
    const err = (() => {
      try {
        table.release(id, 5);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OverReleaseError);
    expect((err as OverReleaseError).code).toBe("RPYC_ERR_OVER_RELEASE");
    expect(table.countOf(id)).toBe(1);
    expect(() => table.release(id, 0)).toThrow(OverReleaseError);
    expect(() => table.release(id, Number.NaN)).toThrow(OverReleaseError);
    expect(() => table.release(999, 1)).toThrow(UnknownRefError);
    expect(table.countOf(id)).toBe(1);
  });

  it("clear() keeps only the root", () => {
    const root = {};
    const table = new ExportTable(root);
    table.export({});
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(0)).toBe(root);
  });
});
