/**
 * The browser codec's CBOR writer (see codec-lite.ts): one wire-value tree → CBOR, with every
 * rpyc-ts tag (wire-tags.ts), in a few hundred bytes of code instead of cbor-x's 30 KB.
 *
 * It writes what cbor-x writes for the same tree, up to harmless differences both decoders
 * accept: integers of the uint32/negative range as CBOR integers, other numbers as float64,
 * bigints of the 64-bit range with an 8-byte argument, Uint8Arrays under tag 64 (Buffers
 * untagged), other typed arrays under their little-endian RFC 8746 tags, minimal-length headers (cbor-x
 * writes object sizes on 2 bytes), and value sharing (tags 28/29) for the objects that occur
 * more than once, numbered in the order their tag 28 is written (as scanCbor counts them).
 *
 * The tree must have passed `inspectWireValue` (wire values only, within limits, acyclic) and,
 * when it reported `rare`, `rewriteRareValues` (-0, "__proto__" keys and big bigints replaced).
 */
import { WireError, WireRef } from "./messages.ts";
import {
  BigNum,
  NegativeZero,
  ReservedKeyObject,
  TAG_ARRAY_BUFFER,
  TAG_BIGNUM_NEGATIVE,
  TAG_BIGNUM_POSITIVE,
  TAG_DATA_VIEW,
  TAG_DATE_MS,
  TAG_ERROR,
  TAG_MAP,
  TAG_NEGATIVE_ZERO,
  TAG_REF_MINE,
  TAG_REGEXP,
  TAG_RESERVED_KEY_OBJECT,
  TAG_SET,
  TAG_SHAREABLE,
  TAG_SHARED_REF,
} from "./wire-tags.ts";

type TypedArrayClass = new (buffer: ArrayBuffer) => ArrayBufferView;

/** Typed arrays (not Uint8Array) and their RFC 8746 little-endian tags; shared with lite-decode. */
export const TYPED_ARRAY_CLASSES: readonly (readonly [number, TypedArrayClass])[] = [
  [68, Uint8ClampedArray],
  [69, Uint16Array],
  [70, Uint32Array],
  [71, BigUint64Array],
  [72, Int8Array],
  [77, Int16Array],
  [78, Int32Array],
  [79, BigInt64Array],
  [85, Float32Array],
  [86, Float64Array],
];

const utf8 = new TextEncoder();

// The message being written. Module state (plain variables, which a minifier shortens; this
// file's size is the point), saved and restored around each call: a getter of a plain object
// could encode another message while this one is being written.
let bytes = new Uint8Array(0);
let view = new DataView(bytes.buffer);
let at = 0;
/** How often each object occurs (only when the tree shares objects). */
let counts: Map<object, number> | undefined;
/** Shared objects already written, with their tag-28 number. */
let ids = new Map<object, number>();

function room(size: number): void {
  if (at + size <= bytes.length) return;
  let length = bytes.length * 2;
  while (length < at + size) length *= 2;
  const grown = new Uint8Array(length);
  grown.set(bytes.subarray(0, at));
  bytes = grown;
  view = new DataView(grown.buffer);
}

function byte(value: number): void {
  room(1);
  bytes[at++] = value;
}

/** A header: major type and an argument up to 2^32 - 1, in its shortest form. */
function head(major: number, arg: number): void {
  room(5);
  const type = major << 5;
  if (arg < 24) bytes[at++] = type | arg;
  else if (arg < 0x100) {
    bytes[at++] = type | 24;
    bytes[at++] = arg;
  } else if (arg < 0x10000) {
    bytes[at++] = type | 25;
    view.setUint16(at, arg);
    at += 2;
  } else {
    bytes[at++] = type | 26;
    view.setUint32(at, arg);
    at += 4;
  }
}

function raw(data: Uint8Array): void {
  head(2, data.byteLength);
  room(data.byteLength);
  bytes.set(data, at);
  at += data.byteLength;
}

function tagged(tag: number, content: unknown): void {
  head(6, tag);
  write(content);
}

function write(value: unknown): void {
  switch (typeof value) {
    case "number":
      if (Number.isInteger(value) && value < 2 ** 32 && value >= -(2 ** 32)) {
        return value < 0 ? head(1, -1 - value) : head(0, value);
      }
      byte(0xfb);
      room(8);
      view.setFloat64(at, value);
      at += 8;
      return;
    case "string": {
      // At most 3 bytes per UTF-16 unit; the header goes in front once the length is known.
      const max = value.length * 3;
      room(max + 5);
      const start = at;
      const text = start + (max < 24 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5);
      const { written } = utf8.encodeInto(value, bytes.subarray(text));
      head(3, written);
      bytes.copyWithin(at, text, text + written);
      at += written;
      return;
    }
    case "boolean":
      return byte(value ? 0xf5 : 0xf4);
    case "undefined":
      return byte(0xf7);
    case "bigint": {
      const negative = value < 0n;
      byte(negative ? 0x3b : 0x1b);
      room(8);
      view.setBigUint64(at, negative ? -1n - value : value);
      at += 8;
      return;
    }
    default:
      return value === null ? byte(0xf6) : object(value as object);
  }
}

function object(value: object): void {
  if ((counts?.get(value) ?? 0) > 1) {
    const id = ids.get(value);
    if (id !== undefined) return tagged(TAG_SHARED_REF, id);
    ids.set(value, ids.size);
    head(6, TAG_SHAREABLE);
  }
  if (Array.isArray(value)) {
    head(4, value.length);
    for (const member of value) write(member);
  } else if (value instanceof Uint8Array) {
    // Tag 64 keeps the class: Node's cbor-x reads untagged bytes as a Buffer (as it writes one).
    if (value.constructor === Uint8Array) head(6, 64);
    raw(value);
  } else if (value instanceof WireRef) {
    tagged(TAG_REF_MINE + value.kind, value.id);
  } else if (value instanceof Map) {
    head(6, TAG_MAP);
    head(5, value.size);
    for (const [key, member] of value) {
      write(key);
      write(member);
    }
  } else if (value instanceof Set) {
    tagged(TAG_SET, [...value]);
  } else if (value instanceof Date) {
    tagged(TAG_DATE_MS, value.getTime());
  } else if (value instanceof RegExp) {
    tagged(TAG_REGEXP, [value.source, value.flags]);
  } else if (value instanceof WireError) {
    const fields = [value.name, value.message, value.code, value.stack, value.cause, value.props];
    while (fields.length > 2 && fields[fields.length - 1] === undefined) fields.pop();
    tagged(TAG_ERROR, fields);
  } else if (value instanceof ArrayBuffer) {
    head(6, TAG_ARRAY_BUFFER);
    raw(new Uint8Array(value));
  } else if (ArrayBuffer.isView(value)) {
    const entry = TYPED_ARRAY_CLASSES.find(([, Class]) => value instanceof Class);
    head(6, value instanceof DataView ? TAG_DATA_VIEW : entry ? entry[0] : 64);
    raw(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (value instanceof ReservedKeyObject) {
    tagged(TAG_RESERVED_KEY_OBJECT, value.entries);
  } else if (value instanceof NegativeZero) {
    tagged(TAG_NEGATIVE_ZERO, null);
  } else if (value instanceof BigNum) {
    head(6, value.negative ? TAG_BIGNUM_NEGATIVE : TAG_BIGNUM_POSITIVE);
    raw(value.bytes);
  } else {
    const keys = Object.keys(value); // a plain object (inspectWireValue let nothing else by)
    head(5, keys.length);
    for (const key of keys) {
      write(key);
      write((value as Record<string, unknown>)[key]);
    }
  }
}

/** Counts every object of the (acyclic) tree, so the writer knows which ones are shared. */
function countObjects(value: unknown, counts: Map<object, number>): void {
  if (typeof value !== "object" || value === null || value instanceof NegativeZero) return;
  const seen = counts.get(value);
  counts.set(value, (seen ?? 0) + 1);
  if (seen !== undefined) return; // its members were counted the first time
  let members: Iterable<unknown> = [];
  if (Array.isArray(value) || value instanceof Set) members = value;
  else if (value instanceof Map) members = [...value.keys(), ...value.values()];
  else if (value instanceof WireError) members = [value.cause, value.props];
  else if (value instanceof ReservedKeyObject) members = value.entries;
  else if (Object.getPrototypeOf(value) === Object.prototype || !Object.getPrototypeOf(value))
    members = Object.values(value);
  for (const member of members) countObjects(member, counts);
}

/**
 * Writes `wire` as one CBOR item; with `shared`, objects that occur twice keep their identity
 * (tags 28/29). The result owns its buffer (nothing else is in it): it may be transferred.
 *
 * @example
 * const bytes = liteEncode([2, 1, "hello"], false); // a Reply of seq 1
 */
export function liteEncode(wire: unknown, shared: boolean): Uint8Array {
  const saved = [bytes, view, at, counts, ids] as const;
  bytes = new Uint8Array(256);
  view = new DataView(bytes.buffer);
  at = 0;
  ids = new Map();
  counts = undefined;
  if (shared) countObjects(wire, (counts = new Map()));
  try {
    write(wire);
    return bytes.slice(0, at);
  } finally {
    [bytes, view, at, counts, ids] = saved;
  }
}
