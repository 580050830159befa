/**
 * RPyC framing: the captured GETROOT frame, frames split at every byte, compression both ways,
 * and hostile frames (too long, bad flag, missing trailer, a zlib bomb, bad zlib).
 */
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BrineError, DEFAULT_BRINE_LIMITS, FrameReader, encodeFrame } from "../src/index.ts";

const GETROOT_FRAME = Buffer.from("000000080012515011531151020a", "hex");

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(BrineError);
    return (err as BrineError).code;
  }
  return "no error";
}

describe("framing", () => {
  it("frames the captured 5.x GETROOT byte for byte", () => {
    const payload = GETROOT_FRAME.subarray(5, 13);
    expect(encodeFrame(payload)).toEqual(GETROOT_FRAME);
  });

  it("reassembles frames split at every byte", () => {
    const two = Buffer.concat([GETROOT_FRAME, encodeFrame(Buffer.from("hello"))]);
    for (let cut = 0; cut <= two.length; cut++) {
      const reader = new FrameReader();
      const out = [...reader.push(two.subarray(0, cut)), ...reader.push(two.subarray(cut))];
      expect(out.map((b) => b.toString("hex"))).toEqual([
        GETROOT_FRAME.subarray(5, 13).toString("hex"),
        Buffer.from("hello").toString("hex"),
      ]);
      expect(reader.buffered).toBe(0);
    }
  });

  it("compresses payloads over 3000 bytes (flag 1, zlib) and inflates them back", () => {
    const big = Buffer.alloc(10_000, "a");
    const frame = encodeFrame(big);
    expect(frame[4]).toBe(1);
    expect(frame.length).toBeLessThan(500);
    expect(frame.subarray(5, 7).toString("hex")).toBe("7801"); // zlib level 1, as RPyC
    expect(new FrameReader().push(frame)).toEqual([big]);
    expect(encodeFrame(Buffer.alloc(3000))[4]).toBe(0);
  });

  it("refuses oversized, badly flagged, untrailed, bomb and non-zlib frames", () => {
    const limits = { ...DEFAULT_BRINE_LIMITS, maxFrameBytes: 1000, maxInflatedBytes: 5000 };
    expect(codeOf(() => new FrameReader(limits).push(Buffer.from("ffffffff00", "hex")))).toBe(
      "RPYC_ERR_BRINE_LIMIT",
    );
    expect(codeOf(() => new FrameReader().push(Buffer.from("0000000102aa0a", "hex")))).toBe(
      "RPYC_ERR_BRINE_MALFORMED",
    );
    expect(codeOf(() => new FrameReader().push(Buffer.from("0000000100aa0b", "hex")))).toBe(
      "RPYC_ERR_BRINE_MALFORMED",
    );
    const bomb = deflateSync(Buffer.alloc(1_000_000));
    const bombFrame = Buffer.concat([
      Buffer.from([0, 0, bomb.length >> 8, bomb.length & 255, 1]),
      bomb,
      Buffer.from("\n"),
    ]);
    expect(codeOf(() => new FrameReader(limits).push(bombFrame))).toBe("RPYC_ERR_BRINE_LIMIT");
    expect(codeOf(() => new FrameReader().push(Buffer.from("0000000201abcd0a", "hex")))).toBe(
      "RPYC_ERR_BRINE_MALFORMED",
    );
  });
});
