/**
 * The wire layout of each message kind: a `Message` object ↔ one CBOR array `[kind, …fields]`.
 * Arrays, not maps with string keys, keep every message small and fast to write.
 *
 * | kind        | layout                                                   |
 * |-------------|----------------------------------------------------------|
 * | 0 Hello     | [0, protocol, version, service, aliases, limits]         |
 * | 1 Request   | [1, seq, op, target, name?, args?, pin?, hold?]          |
 * | 2 Reply     | [2, seq, value]                                          |
 * | 3 Error     | [3, seq, error]                                          |
 * | 4 Release   | [4, ids, counts]                                         |
 * | 5 Cancel    | [5, seq]                                                 |
 * | 6 Ping      | [6, seq, payload?]                                       |
 * | 7 Pong      | [7, seq, payload?]                                       |
 * | 8 Close     | [8, code?, reason?]                                      |
 * | 9 Held      | [9, seq]                                                 |
 * | 10 Forget   | [10, seqs]                                               |
 *
 * Optional fields are `undefined` (one byte, 0xf7) when a later field is present, and cut when
 * trailing. Decoders ignore elements past the ones they know, so a later minor version may
 * append optional fields. Hello's first two elements (kind 0, protocol) are frozen forever: a
 * Hello of another protocol version decodes leniently so `checkHello` can name both versions.
 */
import { ProtocolError, RPYC_ERR_MALFORMED } from "../errors.ts";
import { LIMIT_NAMES } from "../limits.ts";
import {
  type AnnouncedLimits,
  type Message,
  MessageKind,
  Op,
  PROTOCOL_VERSION,
  RefKind,
  type RequestMessage,
  WireError,
  WireRef,
} from "../messages.ts";

const MAX_UINT32 = 0xffff_ffff;

/** Message → wire array. Trusts the types (encodeMessage's walk checks the values). */
export function messageToWire(message: Message): unknown[] {
  switch (message.kind) {
    case MessageKind.Hello:
      return [
        MessageKind.Hello,
        message.protocol,
        message.version,
        message.service,
        message.aliases,
        message.limits,
      ];
    case MessageKind.Request: {
      const { seq, op, target, name, args, pin, hold } = message;
      // Literal arrays of the exact length (setting `.length` to trim is slow in V8).
      if (hold !== undefined) return [MessageKind.Request, seq, op, target, name, args, pin, hold];
      if (pin !== undefined) return [MessageKind.Request, seq, op, target, name, args, pin];
      if (args !== undefined) return [MessageKind.Request, seq, op, target, name, args];
      if (name !== undefined) return [MessageKind.Request, seq, op, target, name];
      return [MessageKind.Request, seq, op, target];
    }
    case MessageKind.Reply:
      return [MessageKind.Reply, message.seq, message.value];
    case MessageKind.Error:
      return [MessageKind.Error, message.seq, message.error];
    case MessageKind.Release:
      return [MessageKind.Release, message.ids, message.counts];
    case MessageKind.Cancel:
      return [MessageKind.Cancel, message.seq];
    case MessageKind.Held:
      return [MessageKind.Held, message.seq];
    case MessageKind.Forget:
      return [MessageKind.Forget, message.seqs];
    case MessageKind.Ping:
    case MessageKind.Pong:
      return message.payload === undefined
        ? [message.kind, message.seq]
        : [message.kind, message.seq, message.payload];
    case MessageKind.Close:
      if (message.reason !== undefined) return [MessageKind.Close, message.code, message.reason];
      return message.code === undefined ? [MessageKind.Close] : [MessageKind.Close, message.code];
    default:
      throw new TypeError(`unknown message kind ${(message as { kind: unknown }).kind}`);
  }
}

function bad(what: string): never {
  throw new ProtocolError(RPYC_ERR_MALFORMED, `malformed message: ${what}`);
}

function uint32(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_UINT32) {
    bad(`${what} must be an integer from 0 to ${MAX_UINT32}`);
  }
  return value;
}

function string(value: unknown, what: string): string {
  if (typeof value !== "string") bad(`${what} must be a string`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : string(value, what);
}

function optionalBytes(value: unknown, what: string): Uint8Array | undefined {
  if (value === undefined || value instanceof Uint8Array) return value;
  bad(`${what} must be a byte string`);
}

function uint32Array(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) bad(`${what} must be an array`);
  for (const id of value) uint32(id, `every element of ${what}`);
  return value as number[];
}

/** Ops that act on a named member of the target (see the table in messages.ts). */
const NAMED_OPS: ReadonlySet<number> = new Set([Op.Get, Op.Set, Op.Delete, Op.CallAttr, Op.Has]);
const OP_COUNT = Object.keys(Op).length;

function decodeRequest(wire: unknown[]): RequestMessage {
  if (wire.length < 4) bad("a Request needs at least [kind, seq, op, target]");
  const seq = uint32(wire[1], "a Request's seq");
  const op = wire[2];
  if (typeof op !== "number" || !Number.isInteger(op) || op < 0 || op >= OP_COUNT)
    bad(`unknown op ${String(op)}`);
  const target = wire[3];
  if (!(target instanceof WireRef) || target.kind === RefKind.Mine) {
    bad("a Request's target must be a Yours or Pending reference");
  }
  const name = wire[4];
  if (
    name !== undefined &&
    typeof name !== "string" &&
    !(typeof name === "number" && Number.isSafeInteger(name))
  ) {
    bad("a Request's name must be a string or an integer");
  }
  if (name === undefined && NAMED_OPS.has(op)) bad(`op ${op} needs a name`);
  const args = wire[5];
  if (args !== undefined && !Array.isArray(args)) bad("a Request's args must be an array");
  const pin = wire[6] === undefined ? undefined : uint32(wire[6], "a Request's pin");
  const hold = wire[7] === undefined ? undefined : uint32(wire[7], "a Request's hold");
  const message: { -readonly [K in keyof RequestMessage]: RequestMessage[K] } = {
    kind: MessageKind.Request,
    seq,
    op: op as Op,
    target,
  };
  if (name !== undefined) message.name = name;
  if (args !== undefined) message.args = args as unknown[];
  if (pin !== undefined) message.pin = pin;
  if (hold !== undefined) message.hold = hold;
  return message;
}

/**
 * The announced limits: `maxFrameBytes` is required; the other known limits, when present,
 * must be positive integers; other numeric entries (limits a later version announces) are
 * kept, anything else is dropped.
 */
function decodeAnnouncedLimits(value: unknown, strict: boolean): AnnouncedLimits {
  const limits: Record<string, number> = {};
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, entry] of Object.entries(value))
      if (typeof entry === "number") limits[key] = entry;
  }
  for (const key of LIMIT_NAMES) {
    const entry = limits[key];
    if (entry === undefined || key === "maxFrameBytes") continue;
    if (!Number.isSafeInteger(entry) || entry <= 0) {
      if (strict) bad(`a Hello's limits.${key} must be a positive integer`);
      delete limits[key];
    }
  }
  const maxFrameBytes = limits["maxFrameBytes"];
  if (maxFrameBytes === undefined || !Number.isInteger(maxFrameBytes) || maxFrameBytes <= 0) {
    if (strict) bad("a Hello's limits.maxFrameBytes must be a positive integer");
    limits["maxFrameBytes"] = 0;
  }
  return limits as unknown as AnnouncedLimits;
}

/** Wire array → Message, checking every field's type. Throws `ProtocolError` (MALFORMED). */
export function messageFromWire(wire: unknown): Message {
  if (!Array.isArray(wire) || wire.length === 0) bad("a message must be a non-empty array");
  const kind = wire[0];
  switch (kind) {
    case MessageKind.Hello: {
      const protocol = wire[1];
      if (typeof protocol !== "number" || !Number.isInteger(protocol))
        bad("a Hello's protocol must be an integer");
      const strict = protocol === PROTOCOL_VERSION;
      if (!strict) {
        // Another major version: keep what reads as v1, so checkHello can report both sides.
        const aliases = Array.isArray(wire[4])
          ? wire[4].filter((a): a is string => typeof a === "string")
          : [];
        return {
          kind,
          protocol,
          version: typeof wire[2] === "string" ? wire[2] : "unknown",
          service: typeof wire[3] === "string" ? wire[3] : "",
          aliases,
          limits: decodeAnnouncedLimits(wire[5], false),
        };
      }
      const aliases = wire[4];
      if (!Array.isArray(aliases) || !aliases.every((alias) => typeof alias === "string")) {
        bad("a Hello's aliases must be an array of strings");
      }
      return {
        kind,
        protocol,
        version: string(wire[2], "a Hello's version"),
        service: string(wire[3], "a Hello's service"),
        aliases: aliases as string[],
        limits: decodeAnnouncedLimits(wire[5], true),
      };
    }
    case MessageKind.Request:
      return decodeRequest(wire);
    case MessageKind.Reply:
      if (wire.length < 3) bad("a Reply needs [kind, seq, value]");
      return { kind, seq: uint32(wire[1], "a Reply's seq"), value: wire[2] };
    case MessageKind.Error: {
      const seq = wire[1] === -1 ? -1 : uint32(wire[1], "an Error's seq (or -1)");
      if (!(wire[2] instanceof WireError)) bad("an Error's error must be a WireError");
      return { kind, seq, error: wire[2] };
    }
    case MessageKind.Release: {
      const ids = uint32Array(wire[1], "a Release's ids");
      const counts = uint32Array(wire[2], "a Release's counts");
      if (ids.length !== counts.length) bad("a Release's ids and counts must have the same length");
      if (counts.includes(0)) bad("a Release's counts must be positive");
      return { kind, ids, counts };
    }
    case MessageKind.Cancel:
      return { kind, seq: uint32(wire[1], "a Cancel's seq") };
    case MessageKind.Held:
      return { kind, seq: uint32(wire[1], "a Held's seq") };
    case MessageKind.Forget:
      return { kind, seqs: uint32Array(wire[1], "a Forget's seqs") };
    case MessageKind.Ping:
    case MessageKind.Pong: {
      const seq = uint32(wire[1], "a Ping/Pong's seq");
      const payload = optionalBytes(wire[2], "a Ping/Pong's payload");
      return payload === undefined ? { kind, seq } : { kind, seq, payload };
    }
    case MessageKind.Close: {
      const code = optionalString(wire[1], "a Close's code");
      const reason = optionalString(wire[2], "a Close's reason");
      const message: { kind: typeof MessageKind.Close; code?: string; reason?: string } = { kind };
      if (code !== undefined) message.code = code;
      if (reason !== undefined) message.reason = reason;
      return message;
    }
    default:
      return bad(`unknown message kind ${String(kind)}`);
  }
}
