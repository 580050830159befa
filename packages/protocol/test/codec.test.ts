import vm from "node:vm";
import { isNativeAccelerationEnabled } from "cbor-x";
import { describe, expect, it } from "vitest";
import {
  type Message,
  MessageKind,
  Op,
  PROTOCOL_VERSION,
  ProtocolError,
  RPYC_ERR_MALFORMED,
  RPYC_ERR_UNSUPPORTED_VALUE,
  RefKind,
  ROOT_ID,
  WireError,
  WireRef,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  resolveLimits,
} from "@rpyc/protocol";
import * as browser from "../src/index-browser.ts";
import * as node from "../src/index.ts";

const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const roundTrip = <M extends Message>(message: M): M => decodeMessage(encodeMessage(message)) as M;
const reply = (value: unknown): Message => ({ kind: MessageKind.Reply, seq: 1, value });

function protocolError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error("expected a ProtocolError");
}

describe("cbor-x", () => {
  it("runs with its native extension (cbor-extract) loaded, not the silent pure-JS fallback", () => {
    expect(isNativeAccelerationEnabled).toBe(true);
  });
});

describe("encodeMessage / decodeMessage: message kinds", () => {
  const root = new WireRef(RefKind.Yours, ROOT_ID);
  const messages: Message[] = [
    {
      kind: MessageKind.Hello,
      protocol: PROTOCOL_VERSION,
      version: "0.1.0",
      service: "ECHO",
      aliases: ["ECHO2"],
      limits: { maxFrameBytes: 1024 },
    },
    { kind: MessageKind.Request, seq: 1, op: Op.CallAttr, target: root, name: "add", args: [1, 2] },
    {
      kind: MessageKind.Request,
      seq: 2,
      op: Op.Call,
      target: new WireRef(RefKind.Pending, 1),
      args: [],
    },
    { kind: MessageKind.Request, seq: 3, op: Op.Keys, target: root },
    { kind: MessageKind.Request, seq: 4, op: Op.Get, target: root, name: 0, pin: 2 },
    { kind: MessageKind.Request, seq: 5, op: Op.Repr, target: root, pin: 1 },
    { kind: MessageKind.Reply, seq: 1, value: undefined },
    {
      kind: MessageKind.Reply,
      seq: 0xffffffff,
      value: [new WireRef(RefKind.Mine, 7), { cb: new WireRef(RefKind.Mine, 8) }],
    },
    { kind: MessageKind.Error, seq: 3, error: new WireError("TypeError", "nope") },
    {
      kind: MessageKind.Error,
      seq: -1,
      error: new WireError("ProtocolError", "bad input", "RPYC_ERR_MALFORMED"),
    },
    { kind: MessageKind.Release, ids: [1, 2, 3], counts: [1, 5, 1] },
    { kind: MessageKind.Cancel, seq: 9 },
    { kind: MessageKind.Ping, seq: 1 },
    { kind: MessageKind.Ping, seq: 2, payload: Uint8Array.of(1, 2, 3) },
    { kind: MessageKind.Pong, seq: 2, payload: Uint8Array.of(1, 2, 3) },
    { kind: MessageKind.Close },
    { kind: MessageKind.Close, code: "RPYC_ERR_VERSION_MISMATCH", reason: "upgrade" },
    { kind: MessageKind.Close, reason: "bye" },
  ];
  for (const message of messages) {
    it(`round-trips ${JSON.stringify(message, (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v))}`, () => {
      expect(roundTrip(message)).toStrictEqual(message);
    });
  }

  it("encodes a call compactly: [kind, seq, op, <yours 0>, name, args]", () => {
    const bytes = encodeMessage({
      kind: MessageKind.Request,
      seq: 1,
      op: Op.CallAttr,
      target: root,
      name: "add",
      args: [2, 3],
    });
    // 86 array(6) | 01 Request | 01 seq | 04 CallAttr | d9b7fd 00 tag 47101 (yours) id 0 | 63 "add" | 82 02 03
    expect(toHex(bytes)).toBe("86010104d9b7fd0063616464820203");
  });

  it("returns bytes that later encodes do not overwrite", () => {
    const first = encodeMessage(reply("first"));
    const copy = first.slice();
    for (let i = 0; i < 2000; i++) encodeMessage(reply(i));
    encodeMessage(reply(new Uint8Array(100_000)));
    expect(first).toEqual(copy);
  });
});

/**
 * The value and limit tests run on both codecs: Node's (cbor-x and the fast paths) and the
 * browser's (codec-lite.ts, its own single-walk writer), which promise the same behaviour.
 */
for (const [codecName, codec] of [
  ["node", node],
  ["browser", browser],
] as const) {
  const { encodeMessage, decodeMessage } = codec;
  const valueOf = (value: unknown): unknown =>
    (decodeMessage(encodeMessage(reply(value))) as { value: unknown }).value;

  describe(`values (${codecName} codec)`, () => {
    it("round-trips primitives, including -0, NaN, ±Infinity and bigints of any size", () => {
      const values = [
        undefined,
        null,
        true,
        false,
        0,
        1,
        -1,
        1.5,
        2 ** 40,
        -(2 ** 53 - 1),
        NaN,
        Infinity,
        -Infinity,
        "",
        "héllo ✓",
        0n,
        -1n,
        2n ** 64n - 1n,
        -(2n ** 64n),
        2n ** 64n,
        -(2n ** 64n) - 1n,
        7n ** 300n,
        -(7n ** 300n),
      ];
      for (const value of values) expect(valueOf(value)).toStrictEqual(value);
      expect(Object.is(valueOf(-0), -0)).toBe(true);
      expect(Object.is((valueOf([-0]) as number[])[0], -0)).toBe(true);
    });

    it("round-trips Date, RegExp, Map with any keys, Set, arrays and plain objects", () => {
      const value = {
        date: new Date(1_700_000_000_123),
        invalid: new Date(Number.NaN),
        regexp: /a+b?/giu,
        map: new Map<unknown, unknown>([
          [1, "one"],
          ["k", 2],
          [{ o: 1 }, [3]],
          [null, undefined],
        ]),
        set: new Set([1, "two", 3n]),
        nested: [[], {}, [[1]], { a: { b: { c: "deep" } } }],
      };
      expect(valueOf(value)).toStrictEqual(value);
    });

    it("round-trips every typed array kind, ArrayBuffer and DataView as raw bytes", () => {
      const source = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
      const value = [
        source,
        new Uint8ClampedArray(source.buffer),
        new Int8Array(source.buffer),
        new Uint16Array(source.buffer),
        new Int16Array(source.buffer),
        new Uint32Array(source.buffer),
        new Int32Array(source.buffer),
        new Float32Array([1.5, -0, Number.NaN, Infinity]),
        new Float64Array([Math.PI, -0]),
        new BigInt64Array([-1n, 2n ** 62n]),
        new BigUint64Array([2n ** 64n - 1n]),
        source.buffer.slice(0),
        new DataView(source.buffer, 3, 5),
        Buffer.from("buffer"),
      ];
      const out = valueOf(value) as unknown[];
      // A Buffer comes back as a Buffer when the frame is one (as from cbor-x on Node), else (the
      // browser codec's frames are plain Uint8Arrays) as a Uint8Array.
      const buffer = value[13] as Buffer;
      expect(out[13]).toStrictEqual(codecName === "node" ? buffer : new Uint8Array(buffer));
      expect(out.slice(0, 13)).toStrictEqual(value.slice(0, 13));
      expect(out[11]).toBeInstanceOf(ArrayBuffer);
      expect(
        new Uint8Array((out[12] as DataView).buffer, (out[12] as DataView).byteOffset, 5),
      ).toEqual(source.subarray(3, 8));
    });

    it("writes another realm's arrays and typed arrays, and Array subclasses, as definite-length items", () => {
      class List extends Array<number> {}
      const foreign = vm.runInNewContext(
        "[[1, 2], new Uint16Array([3, 4]), new DataView(new ArrayBuffer(2))]",
      ) as unknown[];
      const value = [foreign, List.from([5])];
      const bytes = encodeMessage(reply(value));
      const out = decodeMessage(bytes) as { value: unknown[] };
      expect(out.value).toStrictEqual([
        [[1, 2], Uint16Array.of(3, 4), new DataView(new ArrayBuffer(2))],
        [5],
      ]);
    });

    it("writes byte payloads as raw CBOR byte strings, never base64", () => {
      const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
      const bytes = encodeMessage(reply(payload));
      // 83 02 01 | d8 40 (tag 64: Uint8Array) | 59 012c (bytes, 300) | the payload itself
      expect(toHex(bytes.subarray(0, 8))).toBe("830201d84059012c");
      expect(toHex(bytes.subarray(8))).toBe(toHex(payload));
    });

    it("decodes byte strings as views into the frame, without copying", () => {
      const frame = new Uint8Array(encodeMessage(reply(Buffer.alloc(64, 7))));
      const value = (decodeMessage(frame) as { value: Uint8Array }).value;
      expect(value.buffer).toBe(frame.buffer);
      expect(value.length).toBe(64);
      frame[frame.length - 1] = 9; // the documented aliasing: the value sees the frame's bytes
      expect(value[63]).toBe(9);
    });

    it("keeps plain-data keys such as __proto__ as own data, without touching any prototype", () => {
      const value = JSON.parse(
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}, "__proto_": 2}',
      ) as object;
      const out = valueOf(value) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.hasOwn(out, "__proto__")).toBe(true);
      expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toStrictEqual({
        polluted: true,
      });
      expect(out["__proto_"]).toBe(2);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      // A null-prototype object arrives as a plain object.
      const bare = Object.assign(Object.create(null) as object, { a: 1 });
      expect(valueOf(bare)).toStrictEqual({ a: 1 });
    });

    it("does not let a foreign __proto__ map key pollute prototypes", () => {
      // {"__proto__": {"polluted": 1}} as a plain CBOR map inside a Reply, as another encoder would write it.
      const bytes = Buffer.from("830201a1695f5f70726f746f5f5fa168706f6c6c757465640" + "1", "hex");
      const out = (decodeMessage(bytes) as { value: Record<string, unknown> }).value;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    });

    it("round-trips WireRef of each kind and WireError with nested cause and props", () => {
      const error = new WireError(
        "CustomError",
        "outer",
        "E_OUTER",
        "CustomError: outer\n    at x",
        new WireError("RangeError", "inner", undefined, undefined, { detail: [1, 2] }),
        { ref: new WireRef(RefKind.Mine, 4), count: 3, when: new Date(0) },
      );
      const value = [
        new WireRef(RefKind.Mine, 1),
        new WireRef(RefKind.Yours, 2),
        new WireRef(RefKind.Pending, 0xffffffff),
        error,
      ];
      const out = valueOf(value) as unknown[];
      expect(out).toStrictEqual(value);
      expect(out[3]).toBeInstanceOf(WireError);
      expect((out[3] as WireError).cause).toBeInstanceOf(WireError);
    });

    it("keeps identity of an object sent twice in one message (value sharing)", () => {
      const shared = { name: "shared" };
      const bytes = new Uint8Array(8);
      const ref = new WireRef(RefKind.Mine, 5);
      const map = new Map([["m", shared]]);
      const out = valueOf([
        shared,
        shared,
        bytes,
        bytes,
        ref,
        ref,
        map,
        { again: map },
      ]) as unknown[];
      expect(out[0]).toBe(out[1]);
      expect(out[2]).toBe(out[3]);
      expect(out[4]).toBe(out[5]);
      expect(out[6]).toBe((out[7] as { again: unknown }).again);
      expect((out[6] as Map<string, unknown>).get("m")).toBe(out[0]);
      const props = { detail: 1 };
      const [error, alsoProps] = valueOf([
        new WireError("E", "m", undefined, undefined, undefined, props),
        props,
      ]) as [WireError, unknown];
      expect(error.props).toBe(alsoProps);
      // Also on the slow path for rare values (-0, a "__proto__" key, a huge bigint).
      const rare = JSON.parse('{"__proto__": 1, "z": 0}') as Record<string, unknown>;
      rare["z"] = -0;
      const pair = valueOf([rare, rare, 2n ** 99n]) as Record<string, unknown>[];
      expect(pair[0]).toBe(pair[1]);
      expect(Object.is(pair[0]?.["z"], -0)).toBe(true);
      expect(Object.getOwnPropertyDescriptor(pair[0], "__proto__")?.value).toBe(1);
    });

    it("refuses plain objects with more keys than cbor-x's 16-bit map length can count", () => {
      const keys = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
      const most = keys(0xffff);
      expect(Object.keys(valueOf(most) as object).length).toBe(0xffff);
      const error = protocolError(() => encodeMessage(reply(keys(0x10000))));
      expect(error.code).toBe(RPYC_ERR_UNSUPPORTED_VALUE);
      expect(error.message).toMatch(/a plain object of 65536 keys .* send a Map/);
      expect(valueOf(new Map(Object.entries(keys(0x10000)))) as Map<string, number>).toHaveProperty(
        "size",
        0x10000,
      );
    });

    it("refuses more repeated objects than cbor-x's 16-bit sharing ids can number", () => {
      const many = Array.from({ length: 0x10000 }, (_, i) => ({ i }));
      const out = valueOf([many, many.slice(0, 0xffff)]) as { i: number }[][];
      expect(out[1]?.[0xfffe]).toBe(out[0]?.[0xfffe]);
      expect(out[1]?.[0xfffe]?.i).toBe(0xfffe);
      const error = protocolError(() => encodeMessage(reply([many, many.slice()])));
      expect(error.message).toMatch(/more than 65535 repeated objects/);
    });

    it("does not share what was not shared", () => {
      const out = valueOf([{ a: 1 }, { a: 1 }]) as unknown[];
      expect(out[0]).not.toBe(out[1]);
    });

    it("refuses cycles with a clear error instead of a stack overflow", () => {
      const cyclic: Record<string, unknown> = { name: "loop" };
      cyclic["self"] = [cyclic];
      const error = protocolError(() => encodeMessage(reply(cyclic)));
      expect(error.code).toBe(RPYC_ERR_UNSUPPORTED_VALUE);
      expect(error.message).toMatch(/cyclic value .* at message\[2\]\.self\[0\]/);
    });

    it("refuses values that are not wire values, naming where they are", () => {
      class Point {
        x = 1;
      }
      const cases: [unknown, RegExp][] = [
        [() => 1, /a function .* at message\[2\]/],
        [[Symbol("s")], /a symbol .* at message\[2\]\[0\]/],
        [{ p: new Point() }, /an instance of Point .* at message\[2\]\.p/],
        [new Error("raw"), /an instance of Error/],
        [new Map([["k", () => 1]]), /a function/],
        [
          new WireError("E", "m", undefined, undefined, undefined, new Date(0) as never),
          /props is not a plain object/,
        ],
        [new WireError(1 as never, "m"), /name or message is not a string/],
      ];
      for (const [value, message] of cases) {
        const error = protocolError(() => encodeMessage(reply(value)));
        expect(error.code).toBe(RPYC_ERR_UNSUPPORTED_VALUE);
        expect(error.message).toMatch(message);
      }
    });

    it("refuses to encode past its limits, and never overflows the stack on deep input", () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      expect(protocolError(() => encodeMessage(reply(deep))).message).toMatch(
        /deeper than maxDepth \(64\)/,
      );
      const limits = resolveLimits({ maxArrayLength: 3, maxStringBytes: 4 });
      expect(() => encodeMessage(reply([1, 2, 3]), limits)).not.toThrow();
      expect(protocolError(() => encodeMessage(reply([1, 2, 3, 4]), limits)).message).toMatch(
        /maxArrayLength/,
      );
      expect(protocolError(() => encodeMessage(reply("héllo"), limits)).message).toMatch(
        /maxStringBytes/,
      );
    });
  });

  describe(`stack overflows (${codecName} codec)`, () => {
    it("become ProtocolError on both sides even when maxDepth is set absurdly high", () => {
      const limits = resolveLimits({ maxDepth: 10_000_000 });
      const depth = 1_000_000;
      const bytes = new Uint8Array(3 + depth + 1).fill(0x81); // [2, 1, [[[[…1…]]]]]
      bytes.set([0x83, 0x02, 0x01]);
      bytes[bytes.length - 1] = 0x01;
      expect(protocolError(() => decodeMessage(bytes, limits)).code).toBe(RPYC_ERR_MALFORMED);
      let deep: unknown = 1;
      for (let i = 0; i < depth; i++) deep = [deep];
      expect(protocolError(() => encodeMessage(reply(deep), limits)).code).toBe(
        RPYC_ERR_UNSUPPORTED_VALUE,
      );
      // cbor-x is left in a sane state.
      expect(valueOf([1, [2]])).toStrictEqual([1, [2]]);
    });
  });
}

describe("decodeMessage: shapes", () => {
  const encodeRaw = (wire: unknown) => {
    // Any wire array, bypassing messageToWire, through the real encoder (a Reply's value slot).
    const bytes = encodeMessage(reply(wire));
    return bytes.subarray(3); // drop "83 02 01" (array(3), Reply, seq 1): what is left is `wire`
  };
  const root = new WireRef(RefKind.Yours, 0);
  const bad: [string, unknown][] = [
    ["not an array", { kind: 1 }],
    ["an empty array", []],
    ["an unknown kind", [99, 1]],
    ["a negative seq", [5, -1]],
    ["a fractional seq", [5, 1.5]],
    ["a seq over uint32", [5, 2 ** 32]],
    ["a bigint seq", [5, 1n]],
    ["an unknown op", [1, 1, 99, root]],
    ["a Mine target", [1, 1, Op.Call, new WireRef(RefKind.Mine, 1)]],
    ["a missing name for Get", [1, 1, Op.Get, root]],
    ["a non-array args", [1, 1, Op.Call, root, undefined, "x"]],
    ["a Reply without value slot", [2, 1]],
    ["an Error without WireError", [3, 1, "oops"]],
    ["Release with mismatched lengths", [4, [1, 2], [1]]],
    ["Release with a zero count", [4, [1], [0]]],
    ["Ping with a string payload", [6, 1, "x"]],
    ["Close with a numeric code", [8, 5]],
    ["Hello with bad aliases", [0, PROTOCOL_VERSION, "1", "S", [1], { maxFrameBytes: 1 }]],
    ["Hello without limits", [0, PROTOCOL_VERSION, "1", "S", []]],
  ];
  for (const [what, wire] of bad) {
    it(`refuses ${what} with RPYC_ERR_MALFORMED`, () => {
      expect(protocolError(() => decodeMessage(encodeRaw(wire))).code).toBe(RPYC_ERR_MALFORMED);
    });
  }

  it("ignores elements appended after the known fields (room for minor versions)", () => {
    expect(decodeMessage(encodeRaw([5, 7, "future"]))).toStrictEqual({
      kind: MessageKind.Cancel,
      seq: 7,
    });
  });

  it("decodes a Hello of another protocol version leniently, so checkHello can name it", () => {
    const hello = decodeMessage(encodeRaw([0, PROTOCOL_VERSION + 1, "9.0.0", { future: true }]));
    expect(hello).toMatchObject({
      kind: MessageKind.Hello,
      protocol: PROTOCOL_VERSION + 1,
      version: "9.0.0",
    });
  });

  it("refuses input that is not a Uint8Array", () => {
    expect(protocolError(() => decodeMessage("86" as unknown as Uint8Array)).code).toBe(
      RPYC_ERR_MALFORMED,
    );
  });
});

describe("docs/protocol.md", () => {
  it("shows the bytes the codec really writes for its framed example", async () => {
    const { readFile } = await import("node:fs/promises");
    const spec = await readFile(new URL("../../../docs/protocol.md", import.meta.url), "utf8");
    const request = encodeFrame(
      encodeMessage({
        kind: MessageKind.Request,
        seq: 1,
        op: Op.CallAttr,
        target: new WireRef(RefKind.Yours, ROOT_ID),
        name: "add",
        args: [2, 3],
      }),
    );
    const replyFrame = encodeFrame(encodeMessage({ kind: MessageKind.Reply, seq: 1, value: 5 }));
    expect(spec).toContain(`\`${toHex(request)}\` and \`${toHex(replyFrame)}\``);
  });
});
