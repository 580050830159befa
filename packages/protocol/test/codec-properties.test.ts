/**
 * Property tests (fast-check): every message kind and value type round-trips, and hostile bytes
 * (random, or valid messages mutated) only ever produce a ProtocolError. Runs are bounded (a
 * few hundred cases each) to keep the file to a couple of seconds on a shared 2-core machine.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Message,
  MessageKind,
  ProtocolError,
  FrameDecoder,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  resolveLimits,
} from "@rpyc/protocol";
import { message, value } from "./arbitraries.ts";

/** Only a ProtocolError may escape; a successful decode must be re-encodable (it holds wire values). */
function decodesSafely(input: Uint8Array): void {
  let decoded: Message;
  try {
    decoded = decodeMessage(input);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return;
  }
  // The encoder counts empty containers toward depth, the decoder does not: allow for that.
  encodeMessage(decoded, resolveLimits({ maxDepth: 200 }));
}

describe("codec properties", () => {
  it("round-trips every message kind and value type", () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMessage(encodeMessage(m))).toStrictEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the identity of any object that appears twice", () => {
    fc.assert(
      fc.property(
        value.filter((v) => typeof v === "object" && v !== null),
        (shared) => {
          const out = decodeMessage(
            encodeMessage({ kind: MessageKind.Reply, seq: 0, value: [shared, shared] }),
          );
          const pair = (out as { value: unknown[] }).value;
          expect(pair[0]).toBe(pair[1]);
          expect(pair[0]).toStrictEqual(shared);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("only ever throws ProtocolError on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), decodesSafely), { numRuns: 400 });
  });

  it("only ever throws ProtocolError on mutated valid messages", () => {
    const mutation = fc.tuple(
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom("flip", "insert", "delete", "truncate"),
    );
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
        let bytes = Array.from(encodeMessage(m));
        for (const [at, byte, how] of mutations) {
          const i = at % Math.max(1, bytes.length);
          if (how === "flip") bytes[i] = byte;
          else if (how === "insert") bytes.splice(i, 0, byte);
          else if (how === "delete") bytes.splice(i, 1);
          else bytes = bytes.slice(0, i);
        }
        decodesSafely(Uint8Array.from(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it("frames survive any chunking, and random streams only ever throw ProtocolError", () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }),
        (messages, cuts) => {
          const payloads = messages.map((m) => encodeMessage(m).slice());
          const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
          const decoder = new FrameDecoder();
          const out: Uint8Array[] = [];
          for (let at = 0, i = 0; at < stream.length; i++) {
            const size = cuts[i % cuts.length] as number;
            out.push(...decoder.push(stream.subarray(at, at + size)));
            at += size;
          }
          expect(out.map((p) => Buffer.from(p).toString("hex"))).toEqual(
            payloads.map((p) => Buffer.from(p).toString("hex")),
          );
          expect(out.map((p) => decodeMessage(p))).toStrictEqual(messages);
        },
      ),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 6 }), (chunks) => {
        const decoder = new FrameDecoder(resolveLimits({ maxFrameBytes: 1024 }));
        try {
          for (const chunk of chunks)
            for (const payload of decoder.push(chunk)) decodesSafely(payload);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });
});
