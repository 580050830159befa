import { describe, expect, it } from "vitest";
import { MessageKind, Op, PROTOCOL_VERSION, RefKind, WireRef } from "@rpyc/protocol";

describe("message model", () => {
  it("numbers every kind and op uniquely", () => {
    for (const table of [MessageKind, Op, RefKind]) {
      const values = Object.values(table);
      expect(new Set(values).size).toBe(values.length);
    }
    expect(PROTOCOL_VERSION).toBeGreaterThan(0);
    expect(new WireRef(RefKind.Mine, 3).id).toBe(3);
  });
});
