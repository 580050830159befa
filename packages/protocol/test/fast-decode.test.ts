/**
 * The decoder's fast path (src/fast-decode.ts) against the full path (scanCbor → cbor-x →
 * messageFromWire): on any input, the same message or the same error, and no answer at all
 * from the fast path for anything it does not fully understand.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Limits,
  type Message,
  MessageKind,
  Op,
  ProtocolError,
  RefKind,
  ROOT_ID,
  WireRef,
  decodeMessage,
  encodeMessage,
  resolveLimits,
} from "@rpyc/protocol";
import { decodeMessageFull, fastPathCounts } from "../src/codec/codec.ts";
import { FAST_DECODE_MAX_BYTES, fastDecode } from "../src/codec/fast-decode.ts";
import { DEFAULT_LIMITS } from "../src/limits.ts";
import { message, messagesOf, plainValue } from "./arbitraries.ts";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
const reply = (value: unknown): Message => ({ kind: MessageKind.Reply, seq: 1, value });

type Outcome = { message: Message } | { code: string };

function outcome(run: () => Message): Outcome {
  try {
    return { message: run() };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { code: error.code };
  }
}

/** decodeMessage (fast path first) and the full path alone come to the same end. */
function agrees(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): void {
  const full = outcome(() => decodeMessageFull(bytes, limits));
  const fast = fastDecode(bytes, limits);
  if (fast !== undefined) expect({ message: fast }).toStrictEqual(full);
  expect(outcome(() => decodeMessage(bytes, limits))).toStrictEqual(full);
}

function mutate(bytes: Uint8Array, mutations: [number, number, string][]): Uint8Array {
  let out = Array.from(bytes);
  for (const [at, byte, how] of mutations) {
    const i = at % Math.max(1, out.length);
    if (how === "flip") out[i] = byte;
    else if (how === "insert") out.splice(i, 0, byte);
    else if (how === "delete") out.splice(i, 1);
    else out = out.slice(0, i);
  }
  return Uint8Array.from(out);
}

const mutations = fc.array(
  fc.tuple(
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom("flip", "insert", "delete", "truncate"),
  ),
  { minLength: 1, maxLength: 4 },
);

describe("the decoder's fast path", () => {
  it("is taken by decodeMessage for a call and for a Reply of a number", () => {
    const add: Message = {
      kind: MessageKind.Request,
      seq: 1,
      op: Op.CallAttr,
      target: new WireRef(RefKind.Yours, ROOT_ID),
      name: "add",
      args: [1, 2],
    };
    for (const m of [add, reply(3)]) {
      const bytes = encodeMessage(m);
      const before = fastPathCounts.decoded;
      expect(decodeMessage(bytes)).toStrictEqual(m);
      expect(fastPathCounts.decoded).toBe(before + 1);
    }
  });

  it("decodes any message of plain data as the full path does", () => {
    fc.assert(
      fc.property(messagesOf(plainValue), (m) => {
        const bytes = encodeMessage(m);
        const fast = fastDecode(bytes, DEFAULT_LIMITS);
        const aside = m.kind === MessageKind.Hello || m.kind === MessageKind.Error;
        if (aside || bytes.length > FAST_DECODE_MAX_BYTES) expect(fast).toBeUndefined();
        else expect(fast).toStrictEqual(decodeMessageFull(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the full path on any message", () => {
    fc.assert(
      fc.property(message, (m) => agrees(encodeMessage(m))),
      { numRuns: 300 },
    );
  });

  it("agrees with the full path on random bytes", () => {
    const arrayOfItems = fc
      .tuple(
        fc.integer({ min: 0x81, max: 0x88 }),
        fc.integer({ min: 0, max: 10 }),
        fc.uint8Array({ maxLength: 40 }),
      )
      .map(([head, kind, rest]) => Uint8Array.of(head, kind, ...rest));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), arrayOfItems), (b) => agrees(b)),
      {
        numRuns: 500,
      },
    );
  });

  it("agrees with the full path on mutated messages, under default and tight limits", () => {
    const tight = resolveLimits({
      maxDepth: 3,
      maxArrayLength: 3,
      maxMapSize: 2,
      maxStringBytes: 5,
      maxBytesLength: 4,
    });
    fc.assert(
      fc.property(
        fc.oneof(messagesOf(plainValue), message),
        mutations,
        fc.boolean(),
        (m, changes, useTight) => {
          const bytes = mutate(encodeMessage(m), changes);
          agrees(bytes, useTight ? tight : DEFAULT_LIMITS);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives the unusual to the full path", () => {
    const aside = [
      "830201 63 efbbbf", // a string starting with a BOM
      "830201 62 c328", // invalid UTF-8
      "830201 63 eda080", // a lone surrogate, as cbor-x writes it in short strings
      "830201 a1 69 5f5f70726f746f5f5f 01", // a "__proto__" map key
      "830201 a1 01 02", // a map key that is not a string
      "830201 1b 0000000000000001", // a 64-bit integer (a bigint)
      "830201 f9 3c00", // a half float
      "830201 fa 3fc00000", // a single float
      "830201 9f 01 ff", // an indefinite length
      "830201 d9 0103 a0", // another tag (a Map)
      "830201 d9 b7fc 61 78", // a WireRef holding a string
      "830201 01 ff", // trailing bytes
      "830201", // too short
      "83 03 01 d9b7ff 82 61 45 61 6d", // an Error
      "82 05 f6", // a Cancel with a bad seq
      "98 03 02 01 05", // a message array with a 1-byte length
    ];
    for (const text of aside) {
      const bytes = hex(text);
      expect(fastDecode(bytes, DEFAULT_LIMITS), text).toBeUndefined();
      agrees(bytes);
    }
  });

  it("counts depth as scanCbor does: empty containers add nothing, tags add one", () => {
    const limits = resolveLimits({ maxDepth: 3 });
    for (const text of [
      "830201 81 81 01",
      "830201 81 81 81 01",
      "830201 81 81 80",
      "830201 81 d9b7fc 01",
      "830201 81 81 d9b7fc 01",
    ]) {
      agrees(hex(text), limits);
    }
    expect(fastDecode(hex("830201 81 81 80"), limits)).toStrictEqual(reply([[[]]]));
  });

  it("reads byte strings as views into the frame", () => {
    const frame = Buffer.from(encodeMessage(reply([Uint8Array.of(1, 2, 3), Buffer.from([4])])));
    const decoded = fastDecode(frame, DEFAULT_LIMITS) as { value: Uint8Array[] };
    expect(decoded.value[0]?.buffer).toBe(frame.buffer);
    expect(Object.getPrototypeOf(decoded.value[0])).toBe(Uint8Array.prototype); // tag 64
    expect(Buffer.isBuffer(decoded.value[1])).toBe(true); // untagged, from a Buffer frame
    expect(decoded.value[1]?.buffer).toBe(frame.buffer);
  });

  it("leaves frames over FAST_DECODE_MAX_BYTES to the full path", () => {
    const bytes = encodeMessage(reply("x".repeat(FAST_DECODE_MAX_BYTES)));
    expect(fastDecode(bytes, DEFAULT_LIMITS)).toBeUndefined();
    expect(decodeMessage(bytes)).toStrictEqual(reply("x".repeat(FAST_DECODE_MAX_BYTES)));
  });
});
