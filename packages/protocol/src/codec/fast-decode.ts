/**
 * The decoder's fast path: a small frame (FAST_DECODE_MAX_BYTES or less) holding a common
 * message (every kind but Hello and Error) of plain data, read in one pass that checks the
 * limits and the fields and builds the `Message` directly, without scanCbor, cbor-x or
 * messageFromWire.
 *
 * It reads unsigned and negative integers up to 32 bits, float64, text strings that are valid
 * UTF-8 (and do not start with a BOM), byte strings (plain, or tag 64), WireRef tags, arrays,
 * maps with text keys other than "__proto__", and false/true/null/undefined. It gives up
 * (returns `undefined`) on anything else: another tag, a 64-bit integer, a half or single float,
 * an indefinite length, a limit exceeded, a truncated item, trailing bytes, a field of the
 * wrong type, a Hello or an Error. The codec then takes its full path, so hostile or unusual
 * input meets exactly the checks and errors it always did. Where the fast path succeeds, the
 * full path builds the same message (the property tests compare them).
 *
 * As on the full path, byte strings are views into `bytes`, not copies. Depth is counted as
 * scanCbor counts it: the message array is 1, every non-empty array or map and every tag adds 1.
 *
 * NOTE: the reader keeps its position in module state; it never calls out to user code, so one
 * decode cannot start inside another.
 */
import { type Limits, REF_ITEM_COST } from "../limits.ts";
import { type Message, MessageKind, Op, RefKind, WireRef } from "../messages.ts";
import { TAG_REF_MINE, TAG_REF_PENDING } from "./wire-tags.ts";

/** Larger frames take the full path (where a late give-up would waste the most work). */
export const FAST_DECODE_MAX_BYTES = 4096;

/** Marks "take the full path" in place of a value. */
const GIVE_UP: unique symbol = Symbol("give up");
/** An item read, or GIVE_UP. */
type Read = unknown;

const MAX_UINT32 = 0xffff_ffff;
const OP_COUNT = Object.keys(Op).length;
/** Message fields read into `fields` (Request has the most: 8); later ones are read and dropped. */
const MAX_FIELDS = 8;

/** Deeper input takes the full path (this reader recurses; scanCbor does not). */
const FAST_DEPTH = 100;
const EMPTY = new Uint8Array(0);

let src: Uint8Array = EMPTY;
let pos = 0;
let end = 0;
let limits: Limits;
let depthCap = 0;
const fields: unknown[] = [];
let float: Float64Array | undefined;
let floatBytes: Uint8Array = new Uint8Array(0);
let utf8: TextDecoder | undefined;

function uint32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_UINT32;
}

/** Reads one item held at `depth`; a container it opens is at `depth + 1`. */
function item(depth: number): Read {
  if (pos >= end) return GIVE_UP;
  const initial = src[pos++] as number;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === 7) return simple(info);
  let arg = info;
  if (info >= 24) {
    if (info === 24) {
      if (pos >= end) return GIVE_UP;
      arg = src[pos++] as number;
    } else if (info === 25) {
      if (pos + 2 > end) return GIVE_UP;
      arg = ((src[pos] as number) << 8) | (src[pos + 1] as number);
      pos += 2;
    } else if (info === 26) {
      if (pos + 4 > end) return GIVE_UP;
      arg = readUint32(pos);
      pos += 4;
    } else {
      return GIVE_UP; // 64-bit arguments (bigints), reserved values, indefinite lengths
    }
  }
  switch (major) {
    case 0:
      return arg;
    case 1:
      return -1 - arg;
    case 2:
      if (arg > limits.maxBytesLength || arg > end - pos) return GIVE_UP;
      pos += arg;
      return src.subarray(pos - arg, pos);
    case 3:
      return text(arg);
    case 4:
      return array(arg, depth + 1);
    case 5:
      return map(arg, depth + 1);
    default:
      return tag(arg, depth + 1);
  }
}

function simple(info: number): Read {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return undefined;
    case 27: {
      if (pos + 8 > end) return GIVE_UP;
      if (float === undefined) {
        float = new Float64Array(1);
        floatBytes = new Uint8Array(float.buffer);
      }
      // Big-endian on the wire, little-endian host (see wire-tags.ts).
      for (let i = 7; i >= 0; i--) floatBytes[i] = src[pos++] as number;
      return float[0];
    }
    default:
      return GIVE_UP; // half and single floats, other simple values, a break
  }
}

function readUint32(at: number): number {
  return (
    (src[at] as number) * 0x100_0000 +
    (((src[at + 1] as number) << 16) | ((src[at + 2] as number) << 8) | (src[at + 3] as number))
  );
}

/** Valid UTF-8 only (what cbor-x makes of invalid bytes is left to cbor-x). */
function text(length: number): Read {
  if (length > limits.maxStringBytes || length > end - pos) return GIVE_UP;
  const start = pos;
  pos += length;
  if (length <= 4) {
    // The most common keys and names, in one call (no intermediate strings).
    const a = length > 0 ? (src[start] as number) : 0;
    const b = length > 1 ? (src[start + 1] as number) : 0;
    const c = length > 2 ? (src[start + 2] as number) : 0;
    const d = length > 3 ? (src[start + 3] as number) : 0;
    if ((a | b | c | d) >= 0x80) return decodeUtf8(start);
    if (length === 4) return String.fromCharCode(a, b, c, d);
    if (length === 3) return String.fromCharCode(a, b, c);
    if (length === 2) return String.fromCharCode(a, b);
    return length === 1 ? String.fromCharCode(a) : "";
  }
  if (length < 24) {
    let s = "";
    for (let i = start; i < pos; i++) {
      const c = src[i] as number;
      if (c >= 0x80) return decodeUtf8(start);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(start);
}

function decodeUtf8(start: number): Read {
  // A leading BOM: decoders disagree on whether to keep it.
  if (src[start] === 0xef && src[start + 1] === 0xbb && src[start + 2] === 0xbf) return GIVE_UP;
  utf8 ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try {
    return utf8.decode(src.subarray(start, pos));
  } catch {
    return GIVE_UP;
  }
}

function array(length: number, depth: number): Read {
  if (length > limits.maxArrayLength || length > end - pos) return GIVE_UP;
  if (length > 0 && depth > depthCap) return GIVE_UP;
  const out: unknown[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const next = src[pos] as number;
    const element = next < 24 && pos < end ? src[pos++] : item(depth); // small uints inline
    if (element === GIVE_UP) return GIVE_UP;
    out[i] = element;
  }
  return out;
}

/** A map with text keys, as cbor-x builds it (plain assignment, in order). */
function map(size: number, depth: number): Read {
  if (size > limits.maxMapSize || size * 2 > end - pos) return GIVE_UP;
  if (size > 0 && depth > depthCap) return GIVE_UP;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    if (pos >= end || (src[pos] as number) >> 5 !== 3) return GIVE_UP;
    const key = item(depth);
    if (typeof key !== "string" || key === "__proto__") return GIVE_UP; // cbor-x renames it
    const entry = item(depth);
    if (entry === GIVE_UP) return GIVE_UP;
    out[key] = entry;
  }
  return out;
}

/** WireRef tags (content: uint32) and tag 64 (content: a byte string, read as a Uint8Array). */
function tag(number: number, depth: number): Read {
  if (depth > depthCap || pos >= end) return GIVE_UP;
  const major = (src[pos] as number) >> 5;
  if (number >= TAG_REF_MINE && number <= TAG_REF_PENDING) {
    if (major !== 0) return GIVE_UP;
    const id = item(depth);
    if (id === GIVE_UP) return GIVE_UP;
    return new WireRef((number - TAG_REF_MINE) as RefKind, id as number);
  }
  if (number === 64 && major === 2) {
    const bytes = item(depth) as Uint8Array | typeof GIVE_UP;
    if (bytes === GIVE_UP) return GIVE_UP;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return GIVE_UP;
}

/** Ops that need a name (message-layout.ts's NAMED_OPS). */
function named(op: number): boolean {
  return op === Op.Get || op === Op.Set || op === Op.Delete || op === Op.CallAttr || op === Op.Has;
}

/** Builds the message from `fields` (`count` of them), or gives up on anything off. */
function build(count: number): Message | undefined {
  const kind = fields[0];
  const seq = fields[1];
  switch (kind) {
    case MessageKind.Request: {
      const op = fields[2];
      const target = fields[3];
      const name = fields[4];
      const args = fields[5];
      const pin = fields[6];
      const hold = fields[7];
      if (count < 4 || !uint32(seq)) return undefined;
      if (typeof op !== "number" || !Number.isInteger(op) || op < 0 || op >= OP_COUNT) {
        return undefined;
      }
      if (!(target instanceof WireRef) || target.kind === RefKind.Mine) return undefined;
      if (name === undefined) {
        if (named(op)) return undefined;
      } else if (typeof name !== "string" && !Number.isSafeInteger(name)) {
        return undefined;
      }
      if (args !== undefined && !Array.isArray(args)) return undefined;
      if (pin !== undefined && !uint32(pin)) return undefined;
      if (hold !== undefined && !uint32(hold)) return undefined;
      if (name !== undefined && args !== undefined && pin === undefined && hold === undefined) {
        // The usual call, in one literal (one object shape).
        return { kind, seq, op: op as Op, target, name: name as string | number, args };
      }
      const message: { -readonly [K in keyof RequestFields]: RequestFields[K] } = {
        kind,
        seq,
        op: op as Op,
        target,
      };
      if (name !== undefined) message.name = name as string | number;
      if (args !== undefined) message.args = args as unknown[];
      if (pin !== undefined) message.pin = pin;
      if (hold !== undefined) message.hold = hold;
      return message;
    }
    case MessageKind.Reply:
      if (count < 3 || !uint32(seq)) return undefined;
      return { kind, seq, value: fields[2] };
    case MessageKind.Release: {
      const ids = fields[1];
      const counts = fields[2];
      if (!Array.isArray(ids) || !Array.isArray(counts) || ids.length !== counts.length) {
        return undefined;
      }
      for (let i = 0; i < ids.length; i++) {
        if (!uint32(ids[i]) || !uint32(counts[i]) || counts[i] === 0) return undefined;
      }
      return { kind, ids: ids as number[], counts: counts as number[] };
    }
    case MessageKind.Cancel:
    case MessageKind.Held:
      return uint32(seq) ? { kind, seq } : undefined;
    case MessageKind.Forget: {
      const seqs = fields[1];
      if (!Array.isArray(seqs)) return undefined;
      for (let i = 0; i < seqs.length; i++) if (!uint32(seqs[i])) return undefined;
      return { kind, seqs: seqs as number[] };
    }
    case MessageKind.Ping:
    case MessageKind.Pong: {
      const payload = fields[2];
      if (!uint32(seq)) return undefined;
      if (payload === undefined) return { kind, seq };
      return payload instanceof Uint8Array ? { kind, seq, payload } : undefined;
    }
    case MessageKind.Close: {
      const code = fields[1];
      const reason = fields[2];
      if (code !== undefined && typeof code !== "string") return undefined;
      if (reason !== undefined && typeof reason !== "string") return undefined;
      const message: { kind: typeof MessageKind.Close; code?: string; reason?: string } = { kind };
      if (code !== undefined) message.code = code;
      if (reason !== undefined) message.reason = reason;
      return message;
    }
    default:
      return undefined; // Hello, Error, unknown kinds: the full path
  }
}

type RequestFields = Extract<Message, { kind: typeof MessageKind.Request }>;

/**
 * Decodes `bytes` on the fast path, or returns `undefined` when they need the full path.
 *
 * @example
 * const message = fastDecode(frame, limits) ?? fullDecode(frame, limits);
 */
export function fastDecode(bytes: Uint8Array, messageLimits: Limits): Message | undefined {
  const length = bytes.length;
  if (length > FAST_DECODE_MAX_BYTES || length < 2) return undefined;
  // Every item takes a byte at least, so a frame this small is within any usual `maxItems`;
  // under a tiny budget, the full path counts.
  if (length * REF_ITEM_COST > messageLimits.maxItems) return undefined;
  const initial = bytes[0] as number;
  const count = initial - 0x80; // array(0…23) only
  if (count < 1 || count > 23 || count > messageLimits.maxArrayLength) return undefined;
  const kind = bytes[1] as number;
  if (kind === MessageKind.Hello || kind === MessageKind.Error || kind > MessageKind.Forget) {
    return undefined;
  }
  src = bytes;
  pos = 1;
  end = length;
  limits = messageLimits;
  depthCap = Math.min(messageLimits.maxDepth, FAST_DEPTH);
  let message: Message | undefined;
  try {
    let i = 0;
    for (; i < count; i++) {
      const next = src[pos] as number;
      const field = next < 24 && pos < end ? src[pos++] : item(1); // small uints inline
      if (field === GIVE_UP) break;
      if (i < MAX_FIELDS) fields[i] = field;
    }
    if (i === count && pos === end) message = build(count);
  } catch {
    message = undefined; // cannot happen (nothing here throws); the full path would tell
  } finally {
    const used = count < MAX_FIELDS ? count : MAX_FIELDS;
    for (let i = 0; i < used; i++) fields[i] = undefined; // do not retain the message
    src = EMPTY;
  }
  return message;
}
