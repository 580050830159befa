/**
 * The browser codec's CBOR reader (see codec-lite.ts): one CBOR item → wire values, building
 * what cbor-x and our tag decoders build on Node for the same bytes.
 *
 * It trusts the structure, not the content: it runs only after `scanCbor` accepted the bytes
 * (one well-formed, definite-length item within every limit, known tags with the right kind of
 * content, value sharing only backwards), so it never reads past the end, recurses deeper than
 * `limits.maxDepth` or meets an unknown tag. Content errors (a bad RegExp, a malformed WireError,
 * a map key that is not a string or a number) throw, and the codec reports them as
 * `RPYC_ERR_MALFORMED`.
 *
 * As on Node, byte strings are views into the input (no copy); so are typed arrays whose offset
 * is aligned to their element size. ArrayBuffers are copies.
 */
import { RefKind, WireRef } from "./messages.ts";
import { TYPED_ARRAY_CLASSES } from "./lite-encode.ts";
import {
  bignumFromBytes,
  decodeArrayBuffer,
  decodeDataView,
  decodeRegExp,
  decodeReservedKeyObject,
  decodeWireError,
  TAG_ARRAY_BUFFER,
  TAG_BIGNUM_NEGATIVE,
  TAG_BIGNUM_POSITIVE,
  TAG_DATA_VIEW,
  TAG_DATE,
  TAG_DATE_MS,
  TAG_ERROR,
  TAG_MAP,
  TAG_NEGATIVE_ZERO,
  TAG_REF_MINE,
  TAG_REF_PENDING,
  TAG_REGEXP,
  TAG_RESERVED_KEY_OBJECT,
  TAG_SET,
  TAG_SHAREABLE,
  TAG_SHARED_REF,
} from "./wire-tags.ts";

// Non-fatal like cbor-x; keeps a leading BOM (the string is data, not a document).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

// The item being read: module state (plain variables, which a minifier shortens). Decoding
// calls no user code, so one decode never starts inside another.
let src: Uint8Array = new Uint8Array(0);
let view: DataView = new DataView(src.buffer);
let at = 0;
let shared: unknown[] = [];

/** Reads a header: its major type, additional information, and argument (a bigint on 8 bytes). */
function head(): [major: number, info: number, arg: number | bigint] {
  const initial = src[at++] as number;
  const info = initial & 0x1f;
  let arg: number | bigint = info;
  if (info === 24) arg = view.getUint8(at);
  else if (info === 25) arg = view.getUint16(at);
  else if (info === 26) arg = view.getUint32(at);
  else if (info === 27) arg = view.getBigUint64(at);
  if (info >= 24) at += 2 ** (info - 24);
  return [initial >> 5, info, arg];
}

function item(): unknown {
  const [major, info, arg] = head();
  const n = Number(arg);
  switch (major) {
    case 0:
      return arg;
    case 1:
      return typeof arg === "bigint" ? -1n - arg : -1 - arg;
    case 2:
      return src.subarray(at, (at += n));
    case 3:
      return utf8.decode(src.subarray(at, (at += n)));
    case 4: {
      const array: unknown[] = [];
      for (let i = 0; i < n; i++) array.push(item());
      return array;
    }
    case 5: {
      const object: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = item();
        if (typeof key === "object" && key !== null)
          throw new TypeError("an object key must be a string or a number");
        // As cbor-x does: an untagged map never sets a prototype (TAG_RESERVED_KEY_OBJECT can).
        object[key === "__proto__" ? "__proto_" : String(key)] = item();
      }
      return object;
    }
    case 6:
      return tag(n);
    default: {
      const back = at - 2 ** (info - 24);
      if (info === 25) return half(view.getUint16(back));
      if (info === 26) return view.getFloat32(back);
      if (info === 27) return view.getFloat64(back);
      return [false, true, null, undefined][info - 20];
    }
  }
}

function tag(number: number): unknown {
  if (number === TAG_SHAREABLE) {
    const id = shared.push(undefined) - 1;
    return (shared[id] = item());
  }
  if (number === TAG_MAP) {
    const size = Number(head()[2]);
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < size; i++) map.set(item(), item());
    return map;
  }
  const content = item();
  if (number >= TAG_REF_MINE && number <= TAG_REF_PENDING) {
    return new WireRef((number - TAG_REF_MINE) as RefKind, content as number);
  }
  switch (number) {
    case TAG_SHARED_REF:
      return shared[content as number];
    case TAG_ERROR:
      return decodeWireError(content);
    case TAG_REGEXP:
      return decodeRegExp(content);
    case TAG_SET:
      return new Set(content as unknown[]);
    case TAG_DATE_MS:
      return new Date(content as number);
    case TAG_DATE:
      return new Date((content as number) * 1000);
    case TAG_NEGATIVE_ZERO:
      return -0;
    case TAG_ARRAY_BUFFER:
      return decodeArrayBuffer(content);
    case TAG_DATA_VIEW:
      return decodeDataView(content);
    case TAG_RESERVED_KEY_OBJECT:
      return decodeReservedKeyObject(content);
    case TAG_BIGNUM_POSITIVE:
      return bignumFromBytes(content as Uint8Array);
    case TAG_BIGNUM_NEGATIVE:
      return -1n - bignumFromBytes(content as Uint8Array);
    default:
      return typedArray(number, content as Uint8Array);
  }
}

type TypedArrayClass = (typeof TYPED_ARRAY_CLASSES)[number][1] & { BYTES_PER_ELEMENT: number };

/** Tag 64-86 content → the typed array: a view when aligned, else a copy. */
function typedArray(tag: number, bytes: Uint8Array): unknown {
  if (tag === 64) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const Class = TYPED_ARRAY_CLASSES.find(([t]) => t === tag)![1] as TypedArrayClass;
  const aligned = bytes.byteOffset % Class.BYTES_PER_ELEMENT === 0;
  const source = aligned ? bytes : Uint8Array.prototype.slice.call(bytes); // (Buffer#slice is a view)
  return new (Class as unknown as new (b: ArrayBufferLike, o: number, l: number) => unknown)(
    source.buffer,
    source.byteOffset,
    source.byteLength / Class.BYTES_PER_ELEMENT,
  );
}

/** IEEE 754 half precision → number. */
function half(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * Reads the one CBOR item of `bytes`, which `scanCbor` has accepted.
 *
 * @example
 * scanCbor(bytes, limits);
 * const wire = liteDecode(bytes);
 */
export function liteDecode(bytes: Uint8Array): unknown {
  src = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  at = 0;
  shared = [];
  try {
    return item();
  } finally {
    src = new Uint8Array(0); // do not retain the frame
    shared = [];
  }
}
