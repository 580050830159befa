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
  Op,
  PROTOCOL_VERSION,
  ProtocolError,
  RefKind,
  WireError,
  WireRef,
  FrameDecoder,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  resolveLimits,
} from "@rpyc/protocol";

const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
const text = fc.string({ unit: "binary", maxLength: 12 });
const key = fc.oneof(text, fc.constantFrom("__proto__", "prototype", "__proto_", "0", "length"));
const wireRef = fc
  .tuple(fc.constantFrom(RefKind.Mine, RefKind.Yours, RefKind.Pending), uint32)
  .map(([kind, id]) => new WireRef(kind, id));
const bytes = fc.uint8Array({ maxLength: 24 });

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -0, NaN, Infinity, -Infinity),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  text,
  bytes,
  bytes.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
  bytes.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength)),
  fc
    .constantFrom(
      Int8Array,
      Uint8ClampedArray,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      Float32Array,
      Float64Array,
    )
    .chain((Kind) =>
      fc
        .uint8Array({ maxLength: 8 })
        .map(
          (b) =>
            new Kind(
              new Uint8Array(b.length * 8).map((_, i) => b[i % Math.max(1, b.length)] ?? i).buffer,
            ),
        ),
    ),
  fc.bigInt64Array({ maxLength: 3 }),
  fc.bigUint64Array({ maxLength: 3 }),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(/a+/g, /^x$/imsu, /[\u{1F600}]/u, new RegExp("", "y")),
  wireRef,
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 4 }).map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of entries)
        Object.defineProperty(object, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return object;
    }),
    fc
      .array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 })
      .map((entries) => new Map(entries)),
    fc.array(tie("value"), { maxLength: 3 }).map((members) => new Set(members)),
    fc
      .record({
        name: text,
        message: text,
        code: fc.option(text, { nil: undefined }),
        stack: fc.option(text, { nil: undefined }),
        cause: tie("value"),
        props: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 2 }), {
          nil: undefined,
        }),
      })
      .map(
        (e) =>
          new WireError(
            e.name,
            e.message,
            e.code,
            e.stack,
            e.cause,
            e.props === undefined ? undefined : { ...e.props },
          ),
      ),
  ),
}));

const args = fc.array(value, { maxLength: 4 });
const message: fc.Arbitrary<Message> = fc
  .oneof(
    fc.record({
      kind: fc.constant(MessageKind.Hello),
      protocol: fc.constant(PROTOCOL_VERSION),
      version: text,
      service: text,
      aliases: fc.array(text, { maxLength: 3 }),
      limits: fc.integer({ min: 1, max: 2 ** 32 - 1 }).map((maxFrameBytes) => ({ maxFrameBytes })),
    }),
    fc.record(
      {
        kind: fc.constant(MessageKind.Request),
        seq: uint32,
        op: fc.constantFrom(...Object.values(Op)),
        target: wireRef.filter((r) => r.kind !== RefKind.Mine),
        name: fc.oneof(text, fc.nat()),
        args,
        pin: uint32,
      },
      { requiredKeys: ["kind", "seq", "op", "target", "name"] },
    ),
    fc.record(
      {
        kind: fc.constant(MessageKind.Request),
        seq: uint32,
        op: fc.constantFrom(Op.Call, Op.Keys, Op.Iterate, Op.Obtain),
        target: wireRef.filter((r) => r.kind !== RefKind.Mine),
        args,
      },
      { requiredKeys: ["kind", "seq", "op", "target"] },
    ),
    fc.record({ kind: fc.constant(MessageKind.Reply), seq: uint32, value }),
    fc.record({
      kind: fc.constant(MessageKind.Error),
      seq: fc.oneof(fc.constant(-1), uint32),
      error: value.map((cause) => new WireError("Error", "failed", "E_X", undefined, cause)),
    }),
    fc
      .array(fc.tuple(uint32, fc.integer({ min: 1, max: 0xffff_ffff })), { maxLength: 5 })
      .map((pairs): Message => ({
        kind: MessageKind.Release,
        ids: pairs.map((p) => p[0]),
        counts: pairs.map((p) => p[1]),
      })),
    fc.record({ kind: fc.constant(MessageKind.Cancel), seq: uint32 }),
    fc.record(
      { kind: fc.constantFrom(MessageKind.Ping, MessageKind.Pong), seq: uint32, payload: bytes },
      { requiredKeys: ["kind", "seq"] },
    ),
    fc.record(
      { kind: fc.constant(MessageKind.Close), code: text, reason: text },
      { requiredKeys: ["kind"] },
    ),
  )
  .map((m) => ({ ...m }) as Message); // fc.record builds null-prototype objects

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
