/**
 * The ring of calls in flight: lookups by seq, growth that keeps every live call, and the
 * contract that a long-running call's slot is skipped rather than shared.
 */
import { describe, expect, it } from "vitest";
import { Op, RefKind, WireRef } from "@rpyc/protocol";
import { CallTable } from "../src/call-table.ts";
import { CallRecord } from "../src/outgoing-call.ts";

const call = (seq: number) =>
  new CallRecord(seq, Op.Call, new WireRef(RefKind.Yours, 0), undefined, [], undefined);

describe("CallTable", () => {
  it("finds, deletes and lists calls by seq", () => {
    const table = new CallTable();
    const a = call(1);
    const b = call(2);
    table.add(a);
    table.add(b);
    expect(table.get(1)).toBe(a);
    expect(table.get(17)).toBeUndefined(); // same slot as 1 in a ring of 16, another seq
    expect(table.isFree(17)).toBe(false); // so a new call must skip it
    expect(table.delete(17)).toBe(false);
    expect(table.delete(1)).toBe(true);
    expect(table.isFree(17)).toBe(true);
    expect(table.values()).toEqual([b]);
    expect(table.size).toBe(1);
  });

  it("grows when half full and keeps every live call reachable", () => {
    const table = new CallTable();
    const long = call(3);
    table.add(long);
    const live: CallRecord[] = [long];
    for (let seq = 4; live.length < 5000; seq++) {
      if (!table.isFree(seq)) continue; // the allocator's rule
      const record = call(seq);
      table.add(record);
      live.push(record);
    }
    expect(table.size).toBe(5000);
    for (const record of live) expect(table.get(record.seq)).toBe(record);
    expect(() => table.add(call(live[10]!.seq))).toThrow(/not free/);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(3)).toBeUndefined();
  });
});
