import { describe, expect, it } from "vitest";
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  FrameTooLargeError,
  ProtocolError,
  RPYC_ERR_FRAME_TOO_LARGE,
  encodeFrame,
  frameHeader,
  readFrameHeader,
  resolveLimits,
  writeFrameHeader,
} from "@rpyc/protocol";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

// Two frames back to back: "abc" and an empty payload, then "\x01\x02".
const STREAM = hex("00000003 616263  00000000  00000002 0102");
const PAYLOADS = ["616263", "", "0102"];

describe("frameHeader / encodeFrame", () => {
  it("writes a 4-byte big-endian length prefix", () => {
    expect(FRAME_HEADER_BYTES).toBe(4);
    expect(toHex(frameHeader(0))).toBe("00000000");
    expect(toHex(frameHeader(0x01020304))).toBe("01020304");
    expect(toHex(frameHeader(0xffffffff))).toBe("ffffffff");
    expect(toHex(encodeFrame(hex("616263")))).toBe("00000003616263");
    expect(toHex(encodeFrame(new Uint8Array(0)))).toBe("00000000");
  });

  it("refuses lengths a prefix cannot hold", () => {
    expect(() => frameHeader(2 ** 32)).toThrow(RangeError);
    expect(() => frameHeader(-1)).toThrow(RangeError);
    expect(() => frameHeader(1.5)).toThrow(RangeError);
  });
});

describe("writeFrameHeader / readFrameHeader", () => {
  it("write the prefix in place, return the payload's offset, and read it back", () => {
    const out = new Uint8Array(11).fill(0xee);
    expect(writeFrameHeader(out, 1, 0x0a0b0c0d)).toBe(5);
    expect(writeFrameHeader(out, 5, 2)).toBe(9);
    expect(toHex(out)).toBe("ee0a0b0c0d00000002eeee");
    expect(readFrameHeader(out, 1)).toBe(0x0a0b0c0d);
    expect(readFrameHeader(out, 5)).toBe(2);
    expect(readFrameHeader(hex("ffffffff"), 0)).toBe(0xffffffff);
  });
});

describe("FrameDecoder", () => {
  it("returns many frames from one chunk, in order, including an empty payload", () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(STREAM).map(toHex)).toEqual(PAYLOADS);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("reassembles frames fed one byte at a time", () => {
    const decoder = new FrameDecoder();
    const out: string[] = [];
    for (const byte of STREAM) out.push(...decoder.push(Uint8Array.of(byte)).map(toHex));
    expect(out).toEqual(PAYLOADS);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("reassembles frames split at every possible point", () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const decoder = new FrameDecoder();
      const out = [...decoder.push(STREAM.subarray(0, cut)), ...decoder.push(STREAM.subarray(cut))];
      expect(out.map(toHex)).toEqual(PAYLOADS);
    }
  });

  it("splits inside the prefix and inside the payload, and counts buffered bytes", () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(hex("0000"))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(2);
    expect(decoder.push(hex("0005 6869"))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(6);
    expect(decoder.push(hex("6a")).length).toBe(0);
    expect(decoder.bufferedBytes).toBe(7);
    expect(decoder.push(hex("6b6c 00000001")).map(toHex)).toEqual(["68696a6b6c"]);
    expect(decoder.bufferedBytes).toBe(4);
    expect(decoder.push(hex("ff")).map(toHex)).toEqual(["ff"]);
  });

  it("returns a whole frame inside one chunk as a view (no copy)", () => {
    const chunk = hex("00000002 aabb");
    const [payload] = new FrameDecoder().push(chunk);
    expect(payload?.buffer).toBe(chunk.buffer);
    expect(payload?.byteOffset).toBe(4);
  });

  it("accepts a frame of exactly maxFrameBytes and refuses maxFrameBytes + 1", () => {
    const limits = resolveLimits({ maxFrameBytes: 8 });
    const ok = new FrameDecoder(limits);
    expect(ok.push(hex("00000008 0102030405060708")).map(toHex)).toEqual(["0102030405060708"]);
    const tooBig = new FrameDecoder(limits);
    expect(() => tooBig.push(hex("00000009"))).toThrow(FrameTooLargeError);
  });

  it("refuses a 4 GiB prefix at once, without allocating or waiting for the payload", () => {
    const decoder = new FrameDecoder();
    let error: unknown;
    try {
      decoder.push(hex("ffffffff 00"));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(RPYC_ERR_FRAME_TOO_LARGE);
    expect((error as FrameTooLargeError).declaredBytes).toBe(0xffffffff);
    expect((error as Error).message).toMatch(/4294967295 bytes exceeds maxFrameBytes \(67108864\)/);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("keeps the frames completed before a bad prefix, and stays failed", () => {
    const decoder = new FrameDecoder(resolveLimits({ maxFrameBytes: 4 }));
    let error: FrameTooLargeError | undefined;
    try {
      decoder.push(hex("00000001 aa 00000002 bbcc 00000005"));
    } catch (caught) {
      error = caught as FrameTooLargeError;
    }
    expect(error?.frames.map(toHex)).toEqual(["aa", "bbcc"]);
    expect(() => decoder.push(hex("00000001 aa"))).toThrow(FrameTooLargeError);
  });

  it("pre-sizes a frame that spans chunks to exactly its length", () => {
    const decoder = new FrameDecoder();
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const frame = encodeFrame(payload);
    const out: Uint8Array[] = [];
    for (let at = 0; at < frame.length; at += 97)
      out.push(...decoder.push(frame.subarray(at, at + 97)));
    expect(out).toHaveLength(1);
    expect(out[0]?.buffer.byteLength).toBe(1000);
    expect(out[0]).toEqual(payload);
  });

  it("a large frame spanning chunks gets a buffer of its own, every byte from the wire", () => {
    const decoder = new FrameDecoder();
    const payload = Uint8Array.from({ length: 65536 }, (_, i) => (i * 13) & 0xff);
    const frame = encodeFrame(payload);
    const out: Uint8Array[] = [];
    for (let at = 0; at < frame.length; at += 4099)
      out.push(...decoder.push(frame.subarray(at, at + 4099)));
    expect(out).toHaveLength(1);
    expect(out[0]?.buffer.byteLength).toBe(65536);
    expect(Buffer.compare(out[0]!, payload)).toBe(0);
  });
});
