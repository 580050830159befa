/**
 * Brine against bytes captured from real Python RPyC exchanges (shared reference
 * brine-capture.md), round trips of generated values, and hostile bytes: only `BrineError`
 * may escape, and every limit holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BrineError,
  DEFAULT_BRINE_LIMITS,
  PY_ELLIPSIS,
  PY_NOT_IMPLEMENTED,
  PyComplex,
  PyFloat,
  PyFrozenSet,
  PySlice,
  decodeBrine,
  decodeMessage,
  encodeBrine,
  encodeMessage,
  isBrineable,
} from "../src/index.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const ascii = (s: string) => Buffer.from(s, "latin1").toString("hex");

/** Payloads (frame header and trailer removed) of the capture, with what they mean. */
const CAPTURED = [
  {
    what: "5.x GETROOT seq 0",
    dialect: "5",
    bytes: "12 51 50 11 53 11 51 02",
    msg: { type: 1, seq: 0, body: [3, [1, []]] },
  },
  {
    what: "6.x GETROOT seq 0",
    dialect: "6",
    bytes: "01 11 50 11 53 11 51 02",
    msg: { type: 1, seq: 0, body: [3, [1, []]] },
  },
  {
    what: "5.x REPLY with the root's id_pack",
    dialect: "5",
    bytes: `12 52 50 11 54 12 08 0e 14 ${ascii("__main__.EchoService")} 16 09 ${ascii("712728128")} 16 0f ${ascii("140359715928464")}`,
    msg: { type: 2, seq: 0, body: [4, ["__main__.EchoService", 712728128, 140359715928464]] },
  },
  {
    what: "6.x CALL of a bound method with (1,)",
    dialect: "6",
    bytes: `01 11 53 11 57 11 52 12 11 53 12 08 0e 0f ${ascii("builtins.method")} 16 07 ${ascii("9783776")} 16 0f ${ascii("140524795421760")} 11 51 10 51 11 51 02`,
    msg: {
      type: 1,
      seq: 3,
      body: [
        7,
        [
          2,
          [
            [3, ["builtins.method", 9783776, 140524795421760]],
            [1, [1]],
            [1, []],
          ],
        ],
      ],
    },
  },
  {
    what: "5.x REPLY (1, 42)",
    dialect: "5",
    bytes: "12 52 53 11 51 7a",
    msg: { type: 2, seq: 3, body: [1, 42] },
  },
  {
    what: "6.x REPLY (1, None) to a DEL",
    dialect: "6",
    bytes: "02 11 54 11 51 00",
    msg: { type: 2, seq: 4, body: [1, null] },
  },
] as const;

describe("brine vs captured bytes", () => {
  it.each(CAPTURED)("$what decodes and re-encodes to the same bytes", ({ dialect, bytes, msg }) => {
    const payload = hex(bytes);
    expect(decodeMessage(dialect, payload)).toEqual(msg);
    expect(Buffer.from(encodeMessage(dialect, msg)).toString("hex")).toBe(
      Buffer.from(payload).toString("hex"),
    );
  });

  it("reads the registry QUERY datagram for 'foo'", () => {
    const bytes = hex("12 08 0d 52 50 59 43 08 0e 05 51 55 45 52 59 10 08 0c 66 6f 6f");
    expect(decodeBrine(bytes)).toEqual(["RPYC", "QUERY", ["foo"]]);
    expect(encodeBrine(["RPYC", "QUERY", ["foo"]])).toEqual(bytes);
  });

  it("reads a 307-byte docstring (bytes with a u32 length) as in the INSPECT reply", () => {
    const text = "A".repeat(307);
    const bytes = hex(`08 0f 00 00 01 33 ${ascii(text)}`);
    expect(decodeBrine(bytes)).toBe(text);
    expect(encodeBrine(text)).toEqual(bytes);
  });

  it("carries every brine type", () => {
    const values = [
      null,
      true,
      false,
      PY_NOT_IMPLEMENTED,
      PY_ELLIPSIS,
      -48,
      159,
      160,
      -49,
      2n ** 64n,
      -(2n ** 100n),
      2.5,
      Number.NaN,
      new PyFloat(2),
      new PyComplex(1, -2),
      new PySlice(1, null, 2),
      new PyFrozenSet([1, 2]),
      "",
      "héllo ✓",
      new Uint8Array(0),
      Uint8Array.of(1, 2, 3, 4, 5),
      [],
      [[[1]]],
      Array.from({ length: 300 }, (_, i) => i),
    ];
    for (const v of values) {
      const back = decodeBrine(encodeBrine(v));
      if (v instanceof PyFloat) expect(back).toBe(v.value);
      else if (v instanceof Uint8Array)
        expect(Buffer.from(back as Uint8Array)).toEqual(Buffer.from(v));
      else expect(back).toEqual(v);
    }
    expect(decodeBrine(hex("18 40 00 00 00 00 00 00 00"))).toBe(2); // the float 2.0
    expect(isBrineable([1, [2, "x"]])).toBe(true);
    expect(isBrineable([1, {}])).toBe(false);
  });
});

const brineValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc
      .bigInt({ min: -(2n ** 200n), max: 2n ** 200n })
      .filter((b) => b > 2n ** 53n || b < -(2n ** 53n)),
    fc
      .double({ noDefaultInfinity: false })
      .filter((d) => !Number.isInteger(d) || !Number.isSafeInteger(d)),
    fc.string({ unit: "grapheme" }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie("value"), { maxLength: 6 }),
  ),
})).value;

function normalise(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  if (Array.isArray(v)) return v.map(normalise);
  return v;
}

describe("brine properties", () => {
  it("decode(encode(v)) equals v", () => {
    fc.assert(
      fc.property(brineValue, (v) => {
        expect(normalise(decodeBrine(encodeBrine(v)))).toEqual(normalise(v));
      }),
      { numRuns: 300 },
    );
  });

  it("mutated or truncated bytes decode or throw BrineError, nothing else", () => {
    fc.assert(
      fc.property(
        brineValue,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (v, flips, cut) => {
          const bytes = Uint8Array.from(encodeBrine(v));
          for (const [at, b] of flips) bytes[at % bytes.length] = b;
          for (const input of [bytes, bytes.subarray(0, cut % (bytes.length + 1))]) {
            try {
              decodeBrine(input);
            } catch (err) {
              expect(err).toBeInstanceOf(BrineError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("brine limits", () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return (err as BrineError).code;
    }
    return "no error";
  };

  it("refuses deep nesting, huge counts, long ints and too many values", () => {
    expect(code(() => decodeBrine(new Uint8Array(1000).fill(0x10)))).toBe("RPYC_ERR_BRINE_LIMIT");
    // A tuple announcing 2^32-1 items in 5 bytes: refused before any allocation.
    expect(code(() => decodeBrine(hex("15 ff ff ff ff")))).toBe("RPYC_ERR_BRINE_LIMIT");
    expect(code(() => decodeBrine(hex("15 00 0f 00 00 00")))).toBe("RPYC_ERR_BRINE_MALFORMED");
    const digits = "1".repeat(5000);
    expect(
      code(() => decodeBrine(Uint8Array.from([0x17, 0, 0, 0x13, 0x88, ...Buffer.from(digits)]))),
    ).toBe("RPYC_ERR_BRINE_LIMIT");
    const many = encodeBrine(Array.from({ length: 200 }, () => 1));
    expect(code(() => decodeBrine(many, { ...DEFAULT_BRINE_LIMITS, maxValues: 100 }))).toBe(
      "RPYC_ERR_BRINE_LIMIT",
    );
  });

  it("refuses unknown tags, bad UTF-8, non-decimal ints and trailing bytes", () => {
    expect(code(() => decodeBrine(hex("07")))).toBe("RPYC_ERR_BRINE_MALFORMED");
    expect(code(() => decodeBrine(hex("08 0b c3 28")))).toBe("RPYC_ERR_BRINE_MALFORMED");
    expect(code(() => decodeBrine(hex("16 02 31 5f")))).toBe("RPYC_ERR_BRINE_MALFORMED");
    expect(code(() => decodeBrine(hex("00 00")))).toBe("RPYC_ERR_BRINE_MALFORMED");
    expect(code(() => decodeBrine(hex("08 00")))).toBe("RPYC_ERR_BRINE_MALFORMED");
  });

  it("refuses to encode objects, functions and cycles", () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(code(() => encodeBrine({}))).toBe("RPYC_ERR_BRINE_UNSUPPORTED");
    expect(code(() => encodeBrine(() => 1))).toBe("RPYC_ERR_BRINE_UNSUPPORTED");
    expect(code(() => encodeBrine(cycle))).toBe("RPYC_ERR_BRINE_UNSUPPORTED");
  });
});
