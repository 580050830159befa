/**
 * The encoder's fast path (src/fast-encode.ts) against the full path (messageToWire →
 * inspectWireValue → cbor-x): same bytes whenever the fast path answers, the full path's errors
 * whenever it does not, and segments that concatenate to encodeMessage's bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Message,
  MessageKind,
  OUT_OF_LINE_BYTES,
  Op,
  ProtocolError,
  RPYC_ERR_UNSUPPORTED_VALUE,
  RefKind,
  ROOT_ID,
  WireError,
  WireRef,
  decodeMessage,
  encodeMessage,
  encodeMessageSegments,
  resolveLimits,
} from "@rpyc/protocol";
import { encodeMessageFull, fastPathCounts } from "../src/codec/codec.ts";
import { fastEncode } from "../src/codec/fast-encode.ts";
import { DEFAULT_LIMITS } from "../src/limits.ts";
import { message, messagesOf, plainValue } from "./arbitraries.ts";

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const reply = (value: unknown): Message => ({ kind: MessageKind.Reply, seq: 1, value });
const add: Message = {
  kind: MessageKind.Request,
  seq: 1,
  op: Op.CallAttr,
  target: new WireRef(RefKind.Yours, ROOT_ID),
  name: "add",
  args: [1, 2],
};

function errorOf(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error("expected a ProtocolError");
}

function concat(segments: readonly Uint8Array[]): string {
  return segments.map(toHex).join("");
}

describe("the encoder's fast path", () => {
  it("is taken by encodeMessage for a call and for a Reply of a number", () => {
    for (const m of [add, reply(3)]) {
      const before = fastPathCounts.encoded;
      const bytes = encodeMessage(m);
      expect(fastPathCounts.encoded).toBe(before + 1);
      expect(toHex(bytes)).toBe(toHex(encodeMessageFull(m)));
    }
    expect(toHex(encodeMessage(add))).toBe("86010104d9b7fd0063616464820102");
  });

  it("writes the full path's very bytes for any message of plain data", () => {
    fc.assert(
      fc.property(messagesOf(plainValue), (m) => {
        const fast = fastEncode(m, DEFAULT_LIMITS);
        const full = encodeMessageFull(m);
        if (m.kind === MessageKind.Hello || m.kind === MessageKind.Error) {
          expect(fast).toBeUndefined();
          return;
        }
        expect(fast).toBeDefined();
        expect(toHex(fast as Uint8Array)).toBe(toHex(full));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the full path on any message: same bytes, or no answer", () => {
    fc.assert(
      fc.property(message, (m) => {
        const fast = fastEncode(m, DEFAULT_LIMITS);
        if (fast !== undefined) expect(toHex(fast)).toBe(toHex(encodeMessageFull(m)));
        expect(decodeMessage(encodeMessage(m))).toStrictEqual(decodeMessage(encodeMessageFull(m)));
      }),
      { numRuns: 300 },
    );
  });

  it("writes numbers and strings exactly as cbor-x does, at every size boundary", () => {
    const numbers = [
      23,
      24,
      255,
      256,
      65535,
      65536,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      -1,
      -24,
      -25,
      -256,
      -257,
      -65536,
      -65537,
      -(2 ** 31),
      -(2 ** 31) - 1,
      -(2 ** 32),
      -(2 ** 32) - 1,
      0.5,
      -1.5,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_VALUE,
      NaN,
      Infinity,
      -Infinity,
    ];
    const strings = [
      "",
      "a".repeat(23),
      "a".repeat(24),
      "é".repeat(12), // 24 bytes from 12 units: the head widens after the fact
      "✓".repeat(31), // 93 bytes from 31 units
      "x".repeat(63) + "✓",
      "✓".repeat(64),
      "a".repeat(255),
      "a".repeat(256),
      "✓".repeat(30_000), // 90,000 bytes: a 5-byte head
      "😀 emoji",
      "lone \ud800 surrogate",
      "lone \udc00 surrogate in a string longer than sixty-four units, written by the platform",
    ];
    for (const value of [...numbers, ...strings, { [strings[3] as string]: 1 }]) {
      const fast = fastEncode(reply(value), DEFAULT_LIMITS);
      expect(fast, String(value).slice(0, 20)).toBeDefined();
      expect(toHex(fast as Uint8Array)).toBe(toHex(encodeMessageFull(reply(value))));
    }
  });

  it("tags plain Uint8Arrays (64) and writes Buffers untagged, as cbor-x does on Node", () => {
    expect(toHex(encodeMessage(reply(Uint8Array.of(1, 2))))).toBe("830201d840420102");
    expect(toHex(encodeMessage(reply(Buffer.from([1, 2]))))).toBe("830201420102");
  });

  it("leaves everything else to the full path, which keeps its errors", () => {
    const shared = { a: 1 };
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const aside = [
      -0,
      [1, -0],
      1n,
      new Map(),
      new Set(),
      new Date(0),
      /x/,
      new Uint16Array(2),
      new ArrayBuffer(2),
      new DataView(new ArrayBuffer(2)),
      [shared, shared],
      JSON.parse('{"__proto__": 1}') as unknown,
      Object.create(null) as unknown,
      new WireError("E", "m"),
      new WireRef(7 as RefKind, 1),
      cyclic,
      () => 1,
      Symbol("s"),
    ];
    aside.forEach((value, i) => {
      expect(fastEncode(reply(value), DEFAULT_LIMITS), `case ${i}`).toBeUndefined();
    });
    expect(
      fastEncode(
        { kind: MessageKind.Error, seq: 1, error: new WireError("E", "m") },
        DEFAULT_LIMITS,
      ),
    ).toBeUndefined();
    expect(errorOf(() => encodeMessage(reply(cyclic))).message).toMatch(/cyclic value/);
    expect(errorOf(() => encodeMessage(reply([() => 1]))).message).toMatch(
      /a function .* at message\[2\]\[0\]/,
    );
  });

  it("leaves a limit to the full path, which names it", () => {
    const limits = resolveLimits({
      maxDepth: 3,
      maxArrayLength: 2,
      maxMapSize: 1,
      maxStringBytes: 4,
      maxBytesLength: 2,
    });
    const cases: [unknown, RegExp][] = [
      [[[[1]]], /maxDepth/],
      [[1, 2, 3], /maxArrayLength/],
      [{ a: 1, b: 2 }, /maxMapSize/],
      ["héllo", /maxStringBytes/],
      [new Uint8Array(3), /maxBytesLength/],
    ];
    for (const [value, message] of cases) {
      expect(fastEncode(reply(value), limits)).toBeUndefined();
      const error = errorOf(() => encodeMessage(reply(value), limits));
      expect(error.code).toBe(RPYC_ERR_UNSUPPORTED_VALUE);
      expect(error.message).toMatch(message);
    }
    // Just within: the fast path answers.
    expect(fastEncode(reply([[1]]), limits)).toBeDefined();
    expect(fastEncode(reply(["hé", new Uint8Array(2)]), limits)).toBeDefined();
    expect(fastEncode(reply({ a: 1 }), limits)).toBeDefined();
  });

  it("hands out views that later messages never overwrite, small or large", () => {
    const first = encodeMessage(add);
    const copy = first.slice();
    const big = encodeMessage(reply(new Uint8Array(200_000).fill(5)));
    const bigCopy = big.slice();
    for (let i = 0; i < 5000; i++) encodeMessage(reply("x".repeat(i % 100)));
    expect(toHex(first)).toBe(toHex(copy));
    expect(Buffer.compare(big, bigCopy)).toBe(0);
    expect(Buffer.isBuffer(first)).toBe(true); // as cbor-x's output on Node
  });

  it("matches the full path across slab and own-buffer boundaries, in one message or many", () => {
    const sizes = [0, 23, 24, 255, 256, 1000, 16_383, 16_384, 40_000, 65_535, 65_536, 70_000];
    const pieces = sizes.map((n, i) => (i % 2 ? Buffer.alloc(n, i) : new Uint8Array(n).fill(i)));
    const messages = [
      ...pieces.map((bytes) => reply(["before", bytes, "after"])),
      reply(pieces),
      reply(sizes.map((n) => "é".repeat(n >> 2))),
    ];
    for (const m of messages) {
      const fast = fastEncode(m, DEFAULT_LIMITS) as Uint8Array;
      expect(fast).toBeDefined();
      expect(Buffer.compare(fast, encodeMessageFull(m))).toBe(0);
      expect(Buffer.compare(Buffer.concat(encodeMessageSegments(m)), fast)).toBe(0);
    }
  });

  it("tries the full path when a getter encodes while being encoded", () => {
    const inner = reply(1);
    const value = {
      get nested() {
        return toHex(encodeMessage(inner));
      },
    };
    expect(decodeMessage(encodeMessage(reply(value)))).toStrictEqual(reply({ nested: "83020101" }));
  });
});

describe("encodeMessageSegments", () => {
  const payload = new Uint8Array(OUT_OF_LINE_BYTES).fill(9);

  it("returns large byte strings by reference, between the CBOR around them", () => {
    const m: Message = {
      kind: MessageKind.Request,
      seq: 7,
      op: Op.CallAttr,
      target: new WireRef(RefKind.Yours, ROOT_ID),
      name: "echo",
      args: [payload, "after", Buffer.from(payload)],
    };
    const segments = encodeMessageSegments(m);
    expect(segments).toHaveLength(4);
    expect(segments[1]).toBe(payload);
    expect(segments[3]).toBe((m.args as unknown[])[2]);
    expect(concat(segments)).toBe(toHex(encodeMessage(m)));
    const decoded = decodeMessage(Buffer.concat(segments)) as typeof m;
    expect(decoded.args?.[1]).toBe("after");
    expect(Buffer.compare(decoded.args?.[2] as Uint8Array, payload)).toBe(0);
  });

  it("ends with the large byte string when nothing follows it", () => {
    const segments = encodeMessageSegments(reply(payload));
    expect(segments).toHaveLength(2);
    expect(segments[1]).toBe(payload);
    expect(concat(segments)).toBe(toHex(encodeMessage(reply(payload))));
  });

  it("copies byte strings below OUT_OF_LINE_BYTES, and returns one segment", () => {
    const small = payload.subarray(1);
    const segments = encodeMessageSegments(reply(small));
    expect(segments).toHaveLength(1);
    expect(concat(segments)).toBe(toHex(encodeMessage(reply(small))));
  });

  it("returns encodeMessage's one segment for a message off the fast path", () => {
    const m = reply(new Map([["bytes", payload]]));
    const segments = encodeMessageSegments(m);
    expect(segments).toHaveLength(1);
    expect(concat(segments)).toBe(toHex(encodeMessage(m)));
  });

  it("enforces the limits as encodeMessage does", () => {
    const limits = resolveLimits({ maxBytesLength: OUT_OF_LINE_BYTES - 1 });
    const error = errorOf(() => encodeMessageSegments(reply(payload), limits));
    expect(error.code).toBe(RPYC_ERR_UNSUPPORTED_VALUE);
    expect(error.message).toMatch(/maxBytesLength/);
  });

  it("keeps earlier segments intact while later messages are encoded", () => {
    const segments = encodeMessageSegments(reply([payload, "tail"]));
    const copies = segments.map((s) => s.slice());
    for (let i = 0; i < 5000; i++) encodeMessageSegments(reply([i, payload]));
    expect(segments.map(toHex)).toEqual(copies.map(toHex));
  });
});
