/**
 * The browser codec's CBOR writer (see codec-lite.ts): one message's wire-value tree → CBOR, with
 * every rpyc-ts tag (wire-tags.ts), checked as it is written, in a few KB of code instead of
 * cbor-x's 30 KB plus the Node codec's separate walks.
 *
 * One walk does what the Node codec does in three (inspect-wire-value.ts, rewrite-rare-values.ts,
 * cbor-x): it refuses what is not a wire value and what is over the limits, with the Node codec's
 * codes and messages, counting depth as scanCbor does; it writes the rare values (-0, an own
 * "__proto__" key, bigints beyond 64 bits, another realm's arrays and typed arrays) straight as
 * their tags; and it keeps the identity of objects that occur more than once (tags 28/29).
 *
 * It writes what cbor-x writes for the same tree, up to harmless differences both decoders
 * accept: integers of the uint32/negative range as CBOR integers, other numbers as float64,
 * bigints of the 64-bit range with an 8-byte argument, Uint8Arrays under tag 64 (Buffers
 * untagged), other typed arrays under their little-endian RFC 8746 tags, minimal-length headers (cbor-x
 * writes object sizes on 2 bytes), and value sharing (tags 28/29) for the objects that occur
 * more than once, numbered in the order their tag 28 is written (as scanCbor counts them).
 */
import { ProtocolError, RPYC_ERR_UNSUPPORTED_VALUE } from "../errors.ts";
import type { Limits } from "../limits.ts";
import { WireError, WireRef } from "../messages.ts";
import {
  BigNum,
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
const MAX_U64 = (1n << 64n) - 1n;
/** The Node codec's cbor-x writes value-sharing ids and plain-object sizes on 16 bits. */
const MAX_16 = 0xffff;
/** The brand-checked [Symbol.toStringTag] of typed arrays: their class name, in any realm. */
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)!.get! as (this: unknown) => string | undefined;

// The message being written. Module state (plain variables, which a minifier shortens; this
// file's size is the point), saved and restored around each call: a getter of a plain object
// could encode another message while this one is being written.
let bytes = new Uint8Array(0);
let view = new DataView(bytes.buffer);
let at = 0;
let limits: Limits;
/** How often each object occurs; those met more than once are written with tags 28/29. */
let counts = new Map<object, number>();
/** Shared objects already written, with their tag-28 number. */
let ids = new Map<object, number>();
/** References written to shared objects (tag 29), limited to what the Node codec can write. */
let repeats = 0;
/** The containers being written (meeting one again is a cycle). */
let ancestors: object[] = [];
/** The keys leading to the value being written, for error messages. */
let path: (string | number)[] = [];

function fail(what: string): never {
  let where = "message";
  for (const key of path) where += typeof key === "number" ? `[${key}]` : `.${key}`;
  throw new ProtocolError(RPYC_ERR_UNSUPPORTED_VALUE, `cannot encode ${what} at ${where}`);
}

/** A container or tag at `depth` (the wire array is depth 1, as scanCbor counts). */
function enter(depth: number): void {
  if (depth > limits.maxDepth) fail(`a value nested deeper than maxDepth (${limits.maxDepth})`);
}

function length(size: number, limit: keyof Limits): void {
  if (size > limits[limit])
    fail(`a value of ${size} elements or bytes (over ${limit}, ${limits[limit]})`);
}

function room(size: number): void {
  if (at + size <= bytes.length) return;
  let grown = bytes.length * 2;
  while (grown < at + size) grown *= 2;
  const next = new Uint8Array(grown);
  next.set(bytes.subarray(0, at));
  bytes = next;
  view = new DataView(next.buffer);
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

/** `value`, a member of a container at `depth`, under `key` (for error messages). */
function member(value: unknown, key: string | number, depth: number): void {
  path.push(key);
  write(value, depth);
  path.pop();
}

/** The members of a container being written at `depth`. */
function members(container: object, list: Iterable<unknown>, key: string, depth: number): void {
  ancestors.push(container);
  let i = 0;
  for (const value of list) member(value, key === "" ? i++ : key, depth);
  ancestors.pop();
}

function write(value: unknown, depth: number): void {
  switch (typeof value) {
    case "number":
      if (Number.isInteger(value) && value < 2 ** 32 && value >= -(2 ** 32)) {
        if (value === 0 && 1 / value < 0) {
          enter(depth + 1);
          head(6, TAG_NEGATIVE_ZERO);
          return byte(0xf6);
        }
        return value < 0 ? head(1, -1 - value) : head(0, value);
      }
      byte(0xfb);
      room(8);
      view.setFloat64(at, value);
      at += 8;
      return;
    case "string": {
      // At most 3 bytes per UTF-16 unit; the header goes in front once the length is known.
      length(value.length, "maxStringBytes"); // a lower bound, before 3 bytes a unit are reserved
      const max = value.length * 3;
      room(max + 5);
      const start = at;
      const text = start + (max < 24 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5);
      const { written } = utf8.encodeInto(value, bytes.subarray(text));
      length(written, "maxStringBytes");
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
      if (value > MAX_U64 || value < -MAX_U64 - 1n) {
        enter(depth + 1);
        const big = BigNum.from(value);
        head(6, negative ? TAG_BIGNUM_NEGATIVE : TAG_BIGNUM_POSITIVE);
        return raw(big.bytes);
      }
      byte(negative ? 0x3b : 0x1b);
      room(8);
      view.setBigUint64(at, negative ? -1n - value : value);
      at += 8;
      return;
    }
    case "object":
      if (value !== null) return object(value, depth);
      return byte(0xf6);
    default:
      fail(`a ${typeof value} (box it as a reference first)`);
  }
}

/** False when `value` was written before (a tag 29 went out instead); true to write it now. */
function firstTime(value: object): boolean {
  if ((counts.get(value) ?? 0) < 2) return true;
  const id = ids.get(value);
  if (id === undefined) {
    ids.set(value, ids.size);
    head(6, TAG_SHAREABLE);
    return true;
  }
  if (ancestors.includes(value)) fail("a cyclic value (an object that contains itself)");
  if (++repeats > MAX_16) {
    fail(`more than ${MAX_16} repeated objects in one message (send copies, or split it)`);
  }
  head(6, TAG_SHARED_REF);
  head(0, id);
  return false;
}

function object(value: object, depth: number): void {
  if (!firstTime(value)) return;
  if (Array.isArray(value)) {
    // Any realm's array: Array.isArray is not fooled by prototypes, and the writer needs no more.
    enter(depth + 1);
    length(value.length, "maxArrayLength");
    head(4, value.length);
    members(value, value, "", depth + 1);
  } else if (value instanceof WireRef) {
    enter(depth + 1);
    if (!Number.isInteger(value.id) || value.id < 0 || value.id > 0xffff_ffff) {
      fail(`a WireRef with id ${value.id} (ids are uint32)`);
    }
    head(6, TAG_REF_MINE + value.kind);
    head(0, value.id);
  } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    enter(depth + 1);
    length(value.byteLength, "maxBytesLength");
    if (value instanceof ArrayBuffer) {
      head(6, TAG_ARRAY_BUFFER);
      return raw(new Uint8Array(value));
    }
    // By brand, not by class, so another realm's typed arrays keep their tag too.
    const name = typedArrayName.call(value);
    const entry = TYPED_ARRAY_CLASSES.find(([, Class]) => Class.name === name);
    // Tag 64 keeps a Uint8Array's class: Node's cbor-x reads untagged bytes as a Buffer (as it
    // writes one), so only Buffers go untagged.
    if (
      value.constructor !== (globalThis as { Buffer?: unknown }).Buffer ||
      name !== "Uint8Array"
    ) {
      head(6, name === undefined ? TAG_DATA_VIEW : entry ? entry[0] : 64);
    }
    raw(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  } else if (value instanceof Date) {
    enter(depth + 1);
    head(6, TAG_DATE_MS);
    write(value.getTime(), depth + 1);
  } else if (value instanceof RegExp) {
    enter(depth + 2);
    head(6, TAG_REGEXP);
    head(4, 2);
    write(value.source, depth + 2);
    write(value.flags, depth + 2);
  } else if (value instanceof WireError) {
    wireError(value, depth);
  } else if (value instanceof Map) {
    enter(depth + 2);
    length(value.size, "maxMapSize");
    head(6, TAG_MAP);
    head(5, value.size);
    ancestors.push(value);
    for (const [key, entry] of value) {
      member(key, "<map key>", depth + 2);
      member(entry, "<map value>", depth + 2);
    }
    ancestors.pop();
  } else if (value instanceof Set) {
    enter(depth + 2);
    length(value.size, "maxArrayLength");
    head(6, TAG_SET);
    head(4, value.size);
    members(value, value, "<set member>", depth + 2);
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name =
        (value as { constructor?: { name?: string } }).constructor?.name ?? "unknown class";
      fail(
        `an instance of ${name} (only plain data goes by value: box it as a reference or a WireError)`,
      );
    }
    plainObject(value, depth);
  }
}

function wireError(error: WireError, depth: number): void {
  enter(depth + 2);
  const { name, message, stack, props } = error;
  if (typeof name !== "string" || typeof message !== "string") {
    fail("a WireError whose name or message is not a string");
  }
  if (stack !== undefined && typeof stack !== "string")
    fail("a WireError whose stack is not a string");
  const fields: unknown[] = [name, message, error.code, stack, error.cause, props];
  while (fields.length > 2 && fields[fields.length - 1] === undefined) fields.pop();
  head(6, TAG_ERROR);
  head(4, fields.length);
  write(name, depth + 2);
  write(message, depth + 2);
  ancestors.push(error);
  if (fields.length > 2) member(error.code, "code", depth + 2);
  if (fields.length > 3) write(stack, depth + 2);
  if (fields.length > 4) member(error.cause, "cause", depth + 2);
  if (props !== undefined) {
    path.push("props");
    const proto: unknown =
      typeof props === "object" && props !== null ? Object.getPrototypeOf(props) : undefined;
    if (proto !== Object.prototype && proto !== null)
      fail("a WireError whose props is not a plain object");
    if (firstTime(props)) plainObject(props, depth + 2);
    path.pop();
  }
  ancestors.pop();
}

/** A plain object; one with an own "__proto__" key goes as TAG_RESERVED_KEY_OBJECT (see wire-tags.ts). */
function plainObject(value: object, depth: number): void {
  enter(depth + 1);
  const keys = Object.keys(value);
  length(keys.length, "maxMapSize");
  if (keys.length > MAX_16) {
    fail(`a plain object of ${keys.length} keys (at most ${MAX_16}: send a Map, or split it)`);
  }
  const reserved = keys.includes("__proto__");
  if (reserved) {
    enter(depth + 2);
    head(6, TAG_RESERVED_KEY_OBJECT);
    head(4, keys.length * 2);
  } else head(5, keys.length);
  const inner = reserved ? depth + 2 : depth + 1;
  ancestors.push(value);
  for (const key of keys) {
    write(key, inner);
    member((value as Record<string, unknown>)[key], key, inner);
  }
  ancestors.pop();
}

/**
 * Counts every object of the tree, stopping at ones already met (so cycles end) and below
 * maxDepth (the writer refuses anything deeper; container depth only grows on the way down).
 */
function countObjects(value: unknown, depth: number): void {
  if (depth > limits.maxDepth) return;
  if (typeof value !== "object" || value === null) return;
  const seen = counts.get(value);
  counts.set(value, (seen ?? 0) + 1);
  if (seen !== undefined) return; // its members were counted the first time
  let list: Iterable<unknown> = [];
  if (Array.isArray(value) || value instanceof Set) list = value;
  else if (value instanceof Map) list = [...value.keys(), ...value.values()];
  else if (value instanceof WireError) list = [value.code, value.cause, value.props];
  else if (!ArrayBuffer.isView(value) && !(value instanceof WireRef)) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) list = Object.values(value);
  }
  for (const entry of list) countObjects(entry, depth + 1);
}

/**
 * Writes a message in its wire layout (`[kind, …fields]`, a fresh array, not itself tracked) as
 * one CBOR item, checking it on the way (see the file comment). Throws `ProtocolError`
 * `RPYC_ERR_UNSUPPORTED_VALUE` for what is not a wire value or is over `limits`. The result owns
 * its buffer (nothing else is in it): it may be transferred.
 *
 * @example
 * const bytes = liteEncode([2, 1, "hello"], DEFAULT_LIMITS); // a Reply of seq 1
 */
export function liteEncode(wire: readonly unknown[], checks: Limits): Uint8Array {
  const saved = [bytes, view, at, limits, counts, ids, repeats, ancestors, path] as const;
  bytes = new Uint8Array(256);
  view = new DataView(bytes.buffer);
  at = 0;
  limits = checks;
  counts = new Map();
  ids = new Map();
  repeats = 0;
  ancestors = [];
  path = [];
  try {
    for (const entry of wire) countObjects(entry, 1);
    head(4, wire.length);
    for (let i = 0; i < wire.length; i++) member(wire[i], i, 1);
    return bytes.slice(0, at);
  } finally {
    [bytes, view, at, limits, counts, ids, repeats, ancestors, path] = saved;
  }
}
