import { describe, expect, it } from "vitest";
import {
  ProtocolError,
  RPYC_ERR_LIMIT_EXCEEDED,
  RPYC_ERR_MALFORMED,
  resolveLimits,
} from "@rpyc/protocol";
import * as browser from "../src/index-browser.ts";
import * as node from "../src/index.ts";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));

// The same hostile inputs for both codecs: Node's (scanCbor, then cbor-x) and the browser's
// (lite-decode.ts, which checks while it reads).
for (const [codecName, { decodeMessage }] of [
  ["node", node],
  ["browser", browser],
] as const) {
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

  describe(`decoding limits and hostile CBOR, ${codecName} codec (checked before anything is allocated)`, () => {
    it("decodes a well-formed Reply", () => {
      expect(decodeMessage(hex(`${REPLY} 83 01 02 03`))).toStrictEqual({
        kind: 2,
        seq: 1,
        value: [1, 2, 3],
      });
    });

    const malformed: [string, string][] = [
      ["empty input", ""],
      ["a truncated array", "83 02 01"],
      ["a truncated byte string", `${REPLY} 45 0102`],
      ["a truncated length", `${REPLY} 5a 0000`],
      ["trailing bytes", `${REPLY} 01 ff`],
      ["an indefinite-length array", `${REPLY} 9f 01 ff`],
      ["an indefinite-length string", `${REPLY} 7f 6161 ff`],
      ["a reserved additional info", `${REPLY} 1c`],
      ["a bare break code", `${REPLY} ff`],
      ["an unknown simple value", `${REPLY} f0`],
      ["a one-byte simple value", `${REPLY} f8 20`],
      ["an unknown tag", `${REPLY} d8 63 01`],
      ["cbor-x's record tag", `${REPLY} d9 dfff 01`],
      ["cbor-x's packed-values tag", `${REPLY} d8 33 84 80 80 80 01`],
      ["the generic-object tag (Error constructor)", `${REPLY} d8 1b 82 65 4572726f72 61 78`],
      ["a WireRef holding a string", `${REPLY} d9 b7fc 61 78`],
      ["a WireRef id beyond uint32", `${REPLY} d9 b7fc 1b 0000000100000000`],
      ["a typed array with a partial element", `${REPLY} d8 46 43 010203`],
      ["a shared reference pointing forward", `${REPLY} d8 1d 00`],
      ["a cycle through shared references", `${REPLY} d8 1c 81 d8 1d 00`],
      ["a cycle through a Map", `${REPLY} d8 1c d9 0103 a1 01 d8 1d 00`],
      ["an invalid RegExp", `${REPLY} d9 b800 82 61 28 60`],
      ["a WireError with a numeric name", `${REPLY} d9 b7ff 82 01 02`],
      ["a map key that is an array", `${REPLY} a1 80 01`],
    ];
    for (const [what, bytes] of malformed) {
      it(`refuses ${what} with RPYC_ERR_MALFORMED`, () => {
        expect(codeOf(hex(bytes))).toBe(RPYC_ERR_MALFORMED);
      });
    }

    it("accepts a standard tag-1 Date (epoch seconds) from other encoders", () => {
      expect(decodeMessage(hex(`${REPLY} c1 1a 00000005`))).toStrictEqual({
        kind: 2,
        seq: 1,
        value: new Date(5000),
      });
    });

    it("accepts a shared reference to an earlier, closed item", () => {
      const out = decodeMessage(hex(`${REPLY} 82 d8 1c 81 01 d8 1d 00`)) as { value: unknown[][] };
      expect(out.value[0]).toBe(out.value[1]);
    });

    it("refuses declared lengths beyond the limits from the header alone", () => {
      const limits = resolveLimits({
        maxArrayLength: 3,
        maxMapSize: 1,
        maxStringBytes: 3,
        maxBytesLength: 3,
      });
      expect(codeOf(hex(`${REPLY} 83 01 02 03`), limits)).toBe("decoded");
      expect(codeOf(hex(`${REPLY} 84 01 02 03 04`), limits)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
      expect(codeOf(hex(`${REPLY} a2 6161 01 6162 02`), limits)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
      expect(codeOf(hex(`${REPLY} 63 616263`), limits)).toBe("decoded");
      expect(codeOf(hex(`${REPLY} 64 61626364`), limits)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
      expect(codeOf(hex(`${REPLY} 44 01020304`), limits)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
    });

    it("accepts valid non-preferred encodings (a 64-bit length of 1)", () => {
      expect(decodeMessage(hex(`${REPLY} 9b 0000000000000001 01`))).toStrictEqual({
        kind: 2,
        seq: 1,
        value: [1],
      });
    });

    it("refuses huge declared lengths in a tiny message without allocating", () => {
      // Array, map, string and bytes headers announcing ~4 GiB, followed by nothing.
      for (const header of [
        "9a ffffffff",
        "ba ffffffff",
        "7a ffffffff",
        "5a ffffffff",
        "5b ffffffffffffffff",
      ]) {
        expect([RPYC_ERR_LIMIT_EXCEEDED, RPYC_ERR_MALFORMED]).toContain(
          codeOf(hex(`${REPLY} ${header}`)),
        );
      }
      // Within the limits but longer than the bytes left: malformed, still nothing allocated.
      expect(codeOf(hex(`${REPLY} 99 ffff 01`))).toBe(RPYC_ERR_MALFORMED);
    });

    it("refuses nesting beyond maxDepth, and deep hostile nesting never overflows the stack", () => {
      const limits = resolveLimits({ maxDepth: 4 });
      expect(codeOf(hex(`${REPLY} 81 81 81 01`), limits)).toBe("decoded"); // message array + 3 = 4
      expect(codeOf(hex(`${REPLY} 81 81 81 81 01`), limits)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
      const deep = new Uint8Array(3 + 1_000_000 + 1).fill(0x81);
      deep.set(hex(REPLY));
      deep[deep.length - 1] = 0x01;
      expect(codeOf(deep)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
    });

    it("counts tags toward depth (a WireRef inside the deepest array is one level more)", () => {
      const limits = resolveLimits({ maxDepth: 2 });
      expect(codeOf(hex(`${REPLY} 81 d9 b7fc 01`), limits)).toBe(RPYC_ERR_LIMIT_EXCEEDED);
      expect(codeOf(hex(`${REPLY} d9 b7fc 01`), limits)).toBe("decoded");
    });
  });
}
