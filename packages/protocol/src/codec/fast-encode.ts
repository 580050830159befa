/**
 * The encoder's fast path: the common messages (every kind but Hello and Error) whose values
 * are plain data, written as CBOR in one pass straight into a reusable buffer, without
 * messageToWire's array, inspectWireValue's walk or cbor-x.
 *
 * It handles undefined, null, booleans, numbers (except -0), strings, Uint8Arrays (plain and
 * Node Buffers), WireRefs, arrays and plain objects whose keys are not "__proto__". Anything
 * else (a shared object or a cycle, -0, a bigint, Map, Set, Date, RegExp, any other typed array,
 * ArrayBuffer, DataView, WireError, a limit exceeded, a getter that throws, a nesting deeper
 * than FAST_DEPTH) makes `fastEncode` return `undefined`, and the codec takes its full path,
 * which then raises the same errors as it always did. The bytes are the ones cbor-x writes for
 * the same message (same headers, same number forms, tag 64 on plain Uint8Arrays under Node,
 * 2-byte map lengths), so the two paths are interchangeable on the wire.
 *
 * Buffers (the contract of encodeMessage, see codec.ts): messages are written one after the
 * other into a slab of SLAB_BYTES that is never written over; a returned view pins its slab. A
 * message that does not fit in what is left of the slab moves to a fresh slab, or, when it is
 * large, to a buffer of its own (the slab then keeps serving small messages). Nothing is
 * allocated per message but the returned view.
 *
 * Segments: when asked for segments, a Uint8Array of OUT_OF_LINE_BYTES or more is not copied:
 * the bytes written so far become one segment, the caller's array the next, and writing goes on
 * after it. So a 1 MiB payload goes to the socket without ever being copied by the encoder.
 */
import { OUT_OF_LINE_BYTES, type Limits } from "../limits.ts";
import { type Message, MessageKind, RefKind, WireRef } from "../messages.ts";
import { TAG_REF_MINE } from "./wire-tags.ts";

const SLAB_BYTES = 64 * 1024;
/** A message needing more than this goes to a buffer of its own, not to a slab. */
const LARGE_MESSAGE_BYTES = SLAB_BYTES / 4;
/** A message does not start in less room than this (so small ones rarely move mid-way). */
const MIN_ROOM = 1024;
/** Deeper trees take the full path (this writer recurses; the full path walks with care). */
const FAST_DEPTH = 100;
/** Objects seen are kept in a small array first (fast for typical messages), then in a Set. */
const SMALL = 16;

type Utf8Write = (this: Uint8Array, text: string, at: number, max: number) => number;
type NodeBufferClass = {
  allocUnsafeSlow(size: number): Uint8Array;
  prototype: { utf8Write?: Utf8Write };
};
const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;
/** cbor-x writes a plain Uint8Array with tag 64 when Node's Buffer exists, a Buffer without. */
const TAG_PLAIN_BYTES = NodeBuffer !== undefined;
const bufferPrototype: object | undefined = NodeBuffer?.prototype;
/** What cbor-x writes long strings with on Node (else TextEncoder.encodeInto, the same bytes). */
const utf8Write = NodeBuffer?.prototype.utf8Write;

// The slab: bytes before slabPos may be in views handed out; bytes after it are free.
let slab: Uint8Array | undefined;
let slabPos = 0;
// The message being written: into `buf` at `cur`; its bytes not yet handed out start at `begin`.
let buf: Uint8Array = new Uint8Array(0);
let cur = 0;
let begin = 0;
let segments: Uint8Array[] | undefined;
let limits: Limits;
let depthCap = 0;
let busy = false;
// Every object met in this message: met twice means shared (or a cycle), which the full path
// encodes with value sharing (or refuses).
const seenList: (object | undefined)[] = [];
let seenCount = 0;
let seenSet: Set<object> | undefined;
// A float64 is written through these (the host is little-endian, see wire-tags.ts).
let float: Float64Array | undefined;
let floatBytes: Uint8Array = new Uint8Array(0);
let textEncoder: TextEncoder | undefined;

function allocate(size: number): Uint8Array {
  return NodeBuffer === undefined ? new Uint8Array(size) : NodeBuffer.allocUnsafeSlow(size);
}

/** Makes room for `n` more bytes at `cur`, moving the message's unsent bytes if needed. */
function room(n: number): void {
  if (cur + n > buf.length) grow(n);
}

function grow(n: number): void {
  const used = cur - begin;
  const need = used + n;
  let next: Uint8Array;
  if (need <= LARGE_MESSAGE_BYTES) {
    next = slab = allocate(SLAB_BYTES);
    slabPos = 0;
  } else {
    next = allocate(need + (need >> 2) + 64);
  }
  next.set(buf.subarray(begin, cur));
  buf = next;
  begin = 0;
  cur = used;
}

/** Hands out the bytes written since `begin` (they are never written over). */
function handOut(): Uint8Array {
  const out = buf.subarray(begin, cur);
  if (buf === slab) slabPos = cur;
  begin = cur;
  return out;
}

/** A CBOR head: `major` (already shifted) and a uint32 argument, in its shortest form. */
function head(major: number, n: number): void {
  room(5);
  const b = buf;
  if (n < 24) {
    b[cur++] = major | n;
  } else if (n < 0x100) {
    b[cur++] = major | 24;
    b[cur++] = n;
  } else if (n < 0x10000) {
    b[cur++] = major | 25;
    b[cur++] = n >> 8;
    b[cur++] = n & 0xff;
  } else {
    b[cur++] = major | 26;
    b[cur++] = n >>> 24;
    b[cur++] = (n >> 16) & 0xff;
    b[cur++] = (n >> 8) & 0xff;
    b[cur++] = n & 0xff;
  }
}

function firstVisit(value: object): boolean {
  if (seenSet !== undefined) {
    if (seenSet.has(value)) return false;
    seenSet.add(value);
    return true;
  }
  for (let i = 0; i < seenCount; i++) if (seenList[i] === value) return false;
  seenList[seenCount++] = value;
  if (seenCount >= SMALL) seenSet = new Set(seenList.slice(0, seenCount) as object[]);
  return true;
}

/** Writes one wire value held at `depth` (the message array's elements are at depth 1). */
function value(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "number":
      return number(v);
    case "string":
      return string(v);
    case "boolean":
      room(1);
      buf[cur++] = v ? 0xf5 : 0xf4;
      return true;
    case "undefined":
      room(1);
      buf[cur++] = 0xf7;
      return true;
    case "object":
      if (v === null) {
        room(1);
        buf[cur++] = 0xf6;
        return true;
      }
      return firstVisit(v) && object(v, depth + 1);
    default:
      return false; // bigint, function, symbol: the full path
  }
}

/** As cbor-x with useFloat32 0: integers in ±2^32 as CBOR integers, anything else float64. */
function number(v: number): boolean {
  if (Number.isInteger(v) && v >= -0x1_0000_0000 && v <= 0xffff_ffff) {
    if (v === 0 && 1 / v < 0) return false; // -0: tagged by the full path
    if (v >= 0) head(0x00, v);
    else head(0x20, -1 - v);
    return true;
  }
  if (float === undefined) {
    float = new Float64Array(1);
    floatBytes = new Uint8Array(float.buffer);
  }
  float[0] = v;
  room(9);
  const b = buf;
  b[cur++] = 0xfb;
  for (let i = 7; i >= 0; i--) b[cur++] = floatBytes[i] as number;
  return true;
}

/**
 * UTF-8, exactly as cbor-x writes it: short strings by hand (a lone surrogate as its 3-byte
 * form, which the decoder turns into U+FFFD), longer ones by the platform (U+FFFD for it).
 * The head is sized from the UTF-16 length and widened afterwards if the bytes need it.
 */
function string(s: string): boolean {
  const length = s.length;
  // Every UTF-16 unit takes at least one byte.
  if (length > limits.maxStringBytes) return false;
  const guess = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  room(length * 3 + 5);
  const b = buf;
  const start = cur + guess;
  let at = start;
  if (length < 0x40) {
    for (let i = 0; i < length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[at++] = c;
      } else if (c < 0x800) {
        b[at++] = (c >> 6) | 0xc0;
        b[at++] = (c & 0x3f) | 0x80;
      } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
        b[at++] = (c >> 18) | 0xf0;
        b[at++] = ((c >> 12) & 0x3f) | 0x80;
        b[at++] = ((c >> 6) & 0x3f) | 0x80;
        b[at++] = (c & 0x3f) | 0x80;
      } else {
        b[at++] = (c >> 12) | 0xe0;
        b[at++] = ((c >> 6) & 0x3f) | 0x80;
        b[at++] = (c & 0x3f) | 0x80;
      }
    }
  } else if (utf8Write !== undefined) {
    at += utf8Write.call(b, s, start, length * 3);
  } else {
    textEncoder ??= new TextEncoder();
    at += textEncoder.encodeInto(s, b.subarray(start)).written;
  }
  const bytes = at - start;
  if (bytes > limits.maxStringBytes) return false;
  const size = bytes < 24 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
  if (size !== guess) b.copyWithin(cur + size, start, at);
  head(0x60, bytes);
  cur += bytes;
  return true;
}

/** Dispatches on the prototype; `depth` is the depth this object opens. */
function object(v: object, depth: number): boolean {
  if (depth > depthCap) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  const constructor = (v as { constructor?: unknown }).constructor;
  if (proto === Array.prototype) {
    return Array.isArray(v) && constructor === Array && array(v as unknown[], depth);
  }
  if (proto === WireRef.prototype) return ref(v as WireRef);
  if (proto === Uint8Array.prototype) {
    return constructor === Uint8Array && bytes(v as Uint8Array, TAG_PLAIN_BYTES);
  }
  if (proto === bufferPrototype) return bytes(v as Uint8Array, false);
  if (proto === Object.prototype) return constructor === Object && plainObject(v, depth);
  return false;
}

function array(v: unknown[], depth: number): boolean {
  const length = v.length;
  if (length > limits.maxArrayLength) return false;
  head(0x80, length);
  for (let i = 0; i < length; i++) if (!value(v[i], depth)) return false;
  return true;
}

function ref(r: WireRef): boolean {
  const { kind, id } = r;
  if (kind !== RefKind.Mine && kind !== RefKind.Yours && kind !== RefKind.Pending) return false;
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) return false;
  room(3);
  const tag = TAG_REF_MINE + kind;
  buf[cur++] = 0xd9;
  buf[cur++] = tag >> 8;
  buf[cur++] = tag & 0xff;
  head(0x00, id);
  return true;
}

function bytes(v: Uint8Array, tagged: boolean): boolean {
  const length = v.byteLength;
  if (length > limits.maxBytesLength) return false;
  if (tagged) {
    room(2);
    buf[cur++] = 0xd8;
    buf[cur++] = 64;
  }
  head(0x40, length);
  if (segments !== undefined && length >= OUT_OF_LINE_BYTES) {
    segments.push(handOut(), v);
    return true;
  }
  room(length);
  if (length < 32) {
    const b = buf;
    for (let i = 0; i < length; i++) b[cur++] = v[i] as number;
  } else {
    buf.set(v, cur);
    cur += length;
  }
  return true;
}

/** cbor-x writes every plain object with a 2-byte map length (`b9 xxxx`): so do we. */
function plainObject(v: object, depth: number): boolean {
  const keys = Object.keys(v);
  const size = keys.length;
  if (size > limits.maxMapSize || size > 0xffff) return false;
  room(3);
  buf[cur++] = 0xb9;
  buf[cur++] = size >> 8;
  buf[cur++] = size & 0xff;
  for (const key of keys) {
    if (key === "__proto__") return false; // tagged by the full path
    if (!string(key) || !value((v as Record<string, unknown>)[key], depth)) return false;
  }
  return true;
}

/** The layouts of message-layout.ts's messageToWire, written directly. */
function message(m: Message): boolean {
  switch (m.kind) {
    case MessageKind.Request: {
      const { seq, op, target, name, args, pin, hold } = m;
      const length =
        hold !== undefined
          ? 8
          : pin !== undefined
            ? 7
            : args !== undefined
              ? 6
              : name !== undefined
                ? 5
                : 4;
      room(2);
      buf[cur++] = 0x80 | length;
      buf[cur++] = MessageKind.Request;
      return (
        value(seq, 1) &&
        value(op, 1) &&
        value(target, 1) &&
        (length < 5 || value(name, 1)) &&
        (length < 6 || value(args, 1)) &&
        (length < 7 || value(pin, 1)) &&
        (length < 8 || value(hold, 1))
      );
    }
    case MessageKind.Reply:
      room(2);
      buf[cur++] = 0x83;
      buf[cur++] = MessageKind.Reply;
      return value(m.seq, 1) && value(m.value, 1);
    case MessageKind.Release:
      room(2);
      buf[cur++] = 0x83;
      buf[cur++] = MessageKind.Release;
      return value(m.ids, 1) && value(m.counts, 1);
    case MessageKind.Cancel:
    case MessageKind.Held:
      room(2);
      buf[cur++] = 0x82;
      buf[cur++] = m.kind;
      return value(m.seq, 1);
    case MessageKind.Forget:
      room(2);
      buf[cur++] = 0x82;
      buf[cur++] = MessageKind.Forget;
      return value(m.seqs, 1);
    case MessageKind.Ping:
    case MessageKind.Pong:
      room(2);
      buf[cur++] = m.payload === undefined ? 0x82 : 0x83;
      buf[cur++] = m.kind;
      return value(m.seq, 1) && (m.payload === undefined || value(m.payload, 1));
    case MessageKind.Close: {
      const length = m.reason !== undefined ? 3 : m.code !== undefined ? 2 : 1;
      room(2);
      buf[cur++] = 0x80 | length;
      buf[cur++] = MessageKind.Close;
      return (length < 2 || value(m.code, 1)) && (length < 3 || value(m.reason, 1));
    }
    default:
      return false; // Hello and Error (WireError) are rare: the full path
  }
}

/**
 * Encodes `m` on the fast path, or returns `undefined` when it needs the full path (nothing is
 * handed out then). With `out`, large byte strings are cut out as segments (see the header):
 * `out` receives the segments before the last one, and the last one is returned.
 *
 * @example
 * const bytes = fastEncode(message, limits) ?? encodeMessageFull(message, limits);
 */
export function fastEncode(
  m: Message,
  messageLimits: Limits,
  out?: Uint8Array[],
): Uint8Array | undefined {
  if (busy) return undefined; // a getter encoding while we encode: the full path
  busy = true;
  if (slab === undefined || slab.length - slabPos < MIN_ROOM) {
    slab = allocate(SLAB_BYTES);
    slabPos = 0;
  }
  buf = slab;
  begin = cur = slabPos;
  limits = messageLimits;
  depthCap = Math.min(messageLimits.maxDepth, FAST_DEPTH);
  segments = out;
  let done = false;
  try {
    done = message(m);
  } catch {
    done = false; // e.g. a getter that throws: the full path reports it
  } finally {
    for (let i = 0; i < seenCount; i++) seenList[i] = undefined; // do not retain the message
    seenCount = 0;
    seenSet = undefined;
    segments = undefined;
    busy = false;
  }
  const result = done ? handOut() : undefined;
  buf = slab; // do not retain a large message's own buffer
  return result;
}
