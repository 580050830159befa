/**
 * The item budget of one whole message (`maxItems`), enforced by the Node codec's header scan
 * before cbor-x builds anything.
 */
import { describe, expect, it } from "vitest";
import {
  ProtocolError,
  REF_ITEM_COST,
  RPYC_ERR_LIMIT_EXCEEDED,
  decodeMessage,
  resolveLimits,
} from "@rpyc/protocol";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));

function codeOf(bytes: Uint8Array, limits = resolveLimits()): string {
  try {
    decodeMessage(bytes, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return "decoded";
}

// Every fixture is a Reply `[2, 1, value]` = 83 02 01 <value>.
const REPLY = "830201";

describe("the item budget of one message (maxItems)", () => {
  it("holds the whole message to maxItems: every item costs 1, a reference REF_ITEM_COST", () => {
    // [2, 1, [{}, {}, {}]]: the message array, 2, 1, the inner array and 3 maps = 7 items.
    const maps = hex(`${REPLY} 83 a0 a0 a0`);
    expect(codeOf(maps, resolveLimits({ maxItems: 7 }))).toBe("decoded");
    expect(codeOf(maps, resolveLimits({ maxItems: 6 }))).toBe(RPYC_ERR_LIMIT_EXCEEDED);
    // [2, 1, <mine 1>]: 3 items, the tag (REF_ITEM_COST) and its id (1).
    const ref = hex(`${REPLY} d9 b7fc 01`);
    expect(codeOf(ref, resolveLimits({ maxItems: 4 + REF_ITEM_COST }))).toBe("decoded");
    expect(codeOf(ref, resolveLimits({ maxItems: 3 + REF_ITEM_COST }))).toBe(
      RPYC_ERR_LIMIT_EXCEEDED,
    );
  });

  it("refuses a large frame of empty maps at the budget, before building anything", () => {
    // [2, 1, [{} × 8 Mi]]: 8 MiB, every container within its own limit (63 of these made 60 MiB).
    const count = 8 * 1024 * 1024;
    const frame = new Uint8Array(3 + 5 + count).fill(0xa0);
    frame.set(hex(`${REPLY} 9a`));
    new DataView(frame.buffer).setUint32(4, count);
    const limits = resolveLimits({ maxArrayLength: count });
    const error = (() => {
      try {
        decodeMessage(frame, limits);
      } catch (caught) {
        return caught as ProtocolError;
      }
      return undefined;
    })();
    expect(error?.code).toBe(RPYC_ERR_LIMIT_EXCEEDED);
    expect(error?.message).toMatch(/maxItems \(2097152\)/);
  });
});
