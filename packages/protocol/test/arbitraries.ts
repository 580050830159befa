/**
 * fast-check arbitraries shared by the codec's property tests: every message kind, and wire
 * values of every type (`value`), or of the plain data the fast paths handle (`plainValue`).
 */
import fc from "fast-check";
import {
  type Message,
  MessageKind,
  Op,
  PROTOCOL_VERSION,
  RefKind,
  WireError,
  WireRef,
} from "@rpyc/protocol";

export const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
export const text = fc.string({ unit: "binary", maxLength: 12 });
const key = fc.oneof(text, fc.constantFrom("__proto__", "prototype", "__proto_", "0", "length"));
export const wireRef = fc
  .tuple(fc.constantFrom(RefKind.Mine, RefKind.Yours, RefKind.Pending), uint32)
  .map(([kind, id]) => new WireRef(kind, id));
export const bytes = fc.uint8Array({ maxLength: 24 });

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

export const { value } = fc.letrec<{ value: unknown }>((tie) => ({
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

/** Plain data only: what the fast paths handle (no repeated objects: each is built afresh). */
export const { plainValue } = fc.letrec<{ plainValue: unknown }>((tie) => ({
  plainValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(undefined, null, true, false, 0, NaN, Infinity, -Infinity, 2 ** 32, -(2 ** 32)),
    fc.double().filter((d) => !Object.is(d, -0)),
    fc.integer(),
    fc.string({ unit: "binary", maxLength: 80 }),
    bytes,
    bytes.map((b) => Buffer.from(b)),
    wireRef,
    fc.array(tie("plainValue"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie("plainValue"), { maxKeys: 3 }).map((o) => ({
      ...o,
    })),
  ),
}));

/** Messages of every kind, carrying `value` wherever a message holds wire values. */
export function messagesOf(value: fc.Arbitrary<unknown>): fc.Arbitrary<Message> {
  const args = fc.array(value, { maxLength: 4 });
  return fc
    .oneof(
      fc.record({
        kind: fc.constant(MessageKind.Hello),
        protocol: fc.constant(PROTOCOL_VERSION),
        version: text,
        service: text,
        aliases: fc.array(text, { maxLength: 3 }),
        limits: fc
          .integer({ min: 1, max: 2 ** 32 - 1 })
          .map((maxFrameBytes) => ({ maxFrameBytes })),
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
          hold: fc.constantFrom(0, 1),
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
      fc.record({ kind: fc.constant(MessageKind.Held), seq: uint32 }),
      fc.record({
        kind: fc.constant(MessageKind.Forget),
        seqs: fc.array(uint32, { maxLength: 4 }),
      }),
    )
    .map((m) => ({ ...m }) as Message); // fc.record builds null-prototype objects
}

/** Every message kind, carrying any wire value. */
export const message: fc.Arbitrary<Message> = messagesOf(value);
