/**
 * The browser codec (codec-lite.ts) against the Node codec (codec.ts, cbor-x and the fast
 * paths): each decodes what the other encodes to the same message, keeps shared objects shared,
 * and, on hostile bytes, accepts and refuses exactly what the Node codec accepts and refuses.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as node from "../src/index.ts";
import * as browser from "../src/index-browser.ts";
import { MessageKind, ProtocolError, type Message } from "../src/index.ts";
import { message, plainValue, value } from "./arbitraries.ts";

/** What decoding `bytes` gives: the message, or the error's class and code. */
function outcome(decode: (bytes: Uint8Array) => Message, bytes: Uint8Array): unknown {
  try {
    return { message: decode(bytes) };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { code: error.code };
  }
}

/** Buffers (what cbor-x builds for untagged byte strings on Node) compared as Uint8Arrays. */
function plainBytes(input: unknown): unknown {
  return JSON.parse(
    JSON.stringify(input, (_key, v: unknown) =>
      v instanceof Uint8Array ? { bytes: Array.from(v) } : typeof v === "bigint" ? `${v}n` : v,
    ),
  );
}

describe("browser codec", () => {
  it("exports the same names as the Node entry", () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
  });

  it("round-trips every message kind and value type, alone and with the Node codec", () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(browser.decodeMessage(browser.encodeMessage(m))).toStrictEqual(m);
        expect(node.decodeMessage(browser.encodeMessage(m))).toStrictEqual(m);
        expect(browser.decodeMessage(node.encodeMessage(m))).toStrictEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("reads what the Node fast path writes (Buffers included)", () => {
    fc.assert(
      fc.property(plainValue, (v) => {
        const m: Message = { kind: MessageKind.Reply, seq: 7, value: v };
        expect(plainBytes(browser.decodeMessage(node.encodeMessage(m)))).toEqual(plainBytes(m));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps the identity of any object that appears twice, both ways", () => {
    fc.assert(
      fc.property(
        value.filter((v) => typeof v === "object" && v !== null),
        (shared) => {
          const m: Message = { kind: MessageKind.Reply, seq: 0, value: [shared, [shared]] };
          for (const [encode, decode] of [
            [browser.encodeMessage, node.decodeMessage],
            [node.encodeMessage, browser.decodeMessage],
            [browser.encodeMessage, browser.decodeMessage],
          ] as const) {
            const [first, [second]] = (decode(encode(m)) as { value: [unknown, [unknown]] }).value;
            expect(first).toBe(second);
            expect(first).toStrictEqual(shared);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("refuses what the Node codec refuses, with the same codes", () => {
    const bad: unknown[] = [() => 1, Symbol("s"), new (class Thing {})(), new Error("raw")];
    const codeOf = (encode: (m: Message) => Uint8Array, m: Message) => {
      try {
        encode(m);
      } catch (error) {
        return error instanceof ProtocolError ? `${error.code}: ${error.message}` : error;
      }
      return "encoded";
    };
    for (const v of bad) {
      const m = { kind: MessageKind.Reply, seq: 1, value: { deep: [v] } } as Message;
      expect(codeOf(browser.encodeMessage, m)).toMatch(/^RPYC_ERR_UNSUPPORTED_VALUE: .*deep\[0\]/);
      expect(codeOf(browser.encodeMessage, m)).toBe(codeOf(node.encodeMessage, m));
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => browser.encodeMessage({ kind: MessageKind.Reply, seq: 1, value: cyclic })).toThrow(
      ProtocolError,
    );
  });

  it("agrees with the Node codec on random and mutated bytes", () => {
    const agree = (bytes: Uint8Array) => {
      const expected = outcome(node.decodeMessage, bytes);
      expect(plainBytes(outcome(browser.decodeMessage, bytes))).toEqual(plainBytes(expected));
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), agree), { numRuns: 400 });
    const mutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, mutations) => {
        const bytes = node.encodeMessage(m).slice();
        for (const [at, byte] of mutations) bytes[at % bytes.length] = byte;
        agree(bytes);
      }),
      { numRuns: 400 },
    );
  });

  it("returns messages that own their buffer (a transport may transfer them)", () => {
    const bytes = browser.encodeMessage({
      kind: MessageKind.Reply,
      seq: 1,
      value: "x".repeat(300),
    });
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
  });
});
