/**
 * CBOR tag numbers of rpyc-ts, the stand-in classes of rare values, and the tag decoders.
 *
 * Our own tags come from the IANA "first come first served" range (32768+), in a block that is
 * unassigned as far as we know (they are not registered): 47100-47109. They sit below 0xdff9,
 * where cbor-x looks for its record structures, and outside cbor-x's packed-value tag ranges.
 * Standard tags we use as cbor-x writes them: 1 (Date, decode only), 2/3 (bignum), 28/29 (value sharing),
 * 64-86 (typed arrays, little-endian), 258 (Set), 259 (Map).
 *
 * The tag decoders live here; their registration with cbor-x is in cbor-x-tags.ts, so that the
 * browser codec (codec-lite.ts), which reads and writes the same tags without cbor-x, can share
 * this file without pulling cbor-x in.
 *
 * NOTE: cbor-x writes typed arrays in the host's byte order, tagged accordingly; we accept only
 * the little-endian tags, i.e. we assume little-endian hosts (every platform Node and the
 * browsers run on in practice).
 */
import { WireError } from "../messages.ts";

/** Tag of a `WireRef` of kind `Mine` (content: the export id, uint32); `TAG_REF_MINE + kind` in general. */
export const TAG_REF_MINE = 47100;
/** Tag of a `WireRef` of kind `Yours` (content: the export id, uint32). */
export const TAG_REF_YOURS = 47101;
/** Tag of a `WireRef` of kind `Pending` (content: the request seq, uint32). */
export const TAG_REF_PENDING = 47102;
/** Tag of a `WireError`: `[name, message, code?, stack?, cause?, props?]`, trailing absent fields cut. */
export const TAG_ERROR = 47103;
/** Tag of a RegExp: `[source, flags]`. */
export const TAG_REGEXP = 47104;
/** Tag of an ArrayBuffer: its bytes as a byte string. */
export const TAG_ARRAY_BUFFER = 47105;
/** Tag of a DataView: the bytes it views, as a byte string. */
export const TAG_DATA_VIEW = 47106;
/**
 * Tag of a plain object that has an own `"__proto__"` key: `[key, value, key, value, …]`.
 * (An untagged CBOR map cannot carry that key: cbor-x renames it to keep prototypes safe.)
 */
export const TAG_RESERVED_KEY_OBJECT = 47107;
/** Tag of the number -0 (content: null). cbor-x writes -0 as the integer 0. */
export const TAG_NEGATIVE_ZERO = 47108;

/**
 * Tag of a Date: epoch milliseconds as a number (NaN for an invalid Date). Standard tag 1 holds
 * float seconds, which loses milliseconds on far-away dates; tag 1 is still accepted on decode.
 */
export const TAG_DATE_MS = 47109;

/** The standard tags, as cbor-x writes them. */
export const TAG_DATE = 1;
export const TAG_BIGNUM_POSITIVE = 2;
export const TAG_BIGNUM_NEGATIVE = 3;
export const TAG_SHAREABLE = 28;
export const TAG_SHARED_REF = 29;
export const TAG_SET = 258;
export const TAG_MAP = 259;
/** Typed arrays (little-endian tags of RFC 8746) → element size in bytes. */
export const TYPED_ARRAY_TAGS: ReadonlyMap<number, number> = new Map([
  [64, 1], // Uint8Array
  [68, 1], // Uint8ClampedArray
  [69, 2], // Uint16Array
  [70, 4], // Uint32Array
  [71, 8], // BigUint64Array
  [72, 1], // Int8Array
  [77, 2], // Int16Array
  [78, 4], // Int32Array
  [79, 8], // BigInt64Array
  [85, 4], // Float32Array
  [86, 8], // Float64Array
]);

/** A plain object with an own `"__proto__"` key, on its way to TAG_RESERVED_KEY_OBJECT. */
export class ReservedKeyObject {
  constructor(readonly entries: unknown[]) {}
}

/** The number -0, on its way to TAG_NEGATIVE_ZERO. */
export class NegativeZero {}
export const NEGATIVE_ZERO = new NegativeZero();

/** A bigint outside the 64-bit range, on its way to tag 2/3 (encoded in linear time). */
export class BigNum {
  constructor(
    readonly negative: boolean,
    /** Big-endian magnitude (of `value` for positive, of `-1 - value` for negative). */
    readonly bytes: Uint8Array,
  ) {}

  static from(value: bigint): BigNum {
    const negative = value < 0n;
    const hex = (negative ? -1n - value : value).toString(16);
    const odd = hex.length % 2;
    const bytes = new Uint8Array((hex.length + odd) / 2);
    // Two hex digits per byte; with an odd count the first byte has one.
    for (let i = 0, at = -odd; i < bytes.length; i++, at += 2) {
      bytes[i] = (at < 0 ? 0 : nibble(hex.charCodeAt(at)) << 4) | nibble(hex.charCodeAt(at + 1));
    }
    return new BigNum(negative, bytes);
  }
}

/** Value of one lower-case hex digit's char code ("0"-"9", "a"-"f"). */
function nibble(code: number): number {
  return code <= 0x39 ? code - 0x30 : code - 0x57;
}

/**
 * Big-endian magnitude → bigint in linear time: the bytes become one "0x…" string (built as
 * Latin-1 code units, two hex digits per byte), which BigInt parses at once. 16 MiB: ~0.4 s.
 */
export function bignumFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  if (hexPairs === undefined) {
    const digits = "0123456789abcdef";
    hexPairs = new Uint16Array(256);
    // Little-endian host (see the header): the low byte is the first character.
    for (let i = 0; i < 256; i++) {
      hexPairs[i] = digits.charCodeAt(i >> 4) | (digits.charCodeAt(i & 15) << 8);
    }
  }
  const text = new Uint16Array(bytes.length + 1);
  text[0] = 0x7830; // "0x"
  for (let i = 0; i < bytes.length; i++) text[i + 1] = hexPairs[bytes[i] as number] as number;
  return BigInt(new TextDecoder("latin1").decode(text));
}
let hexPairs: Uint16Array | undefined;

export function expectBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must hold a byte string`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw new TypeError(`${what} must be a string`);
}

export function decodeWireError(fields: unknown): WireError {
  if (!Array.isArray(fields) || fields.length < 2 || fields.length > 6) {
    throw new TypeError("a WireError must be an array of 2 to 6 fields");
  }
  const [name, message, code, stack, cause, props] = fields as unknown[];
  if (typeof name !== "string" || typeof message !== "string") {
    throw new TypeError("a WireError's name and message must be strings");
  }
  if (
    props !== undefined &&
    (typeof props !== "object" || props === null || Array.isArray(props))
  ) {
    throw new TypeError("a WireError's props must be a plain object");
  }
  if (props !== undefined && Object.getPrototypeOf(props) !== Object.prototype) {
    throw new TypeError("a WireError's props must be a plain object");
  }
  return new WireError(
    name,
    message,
    code,
    optionalString(stack, "a WireError's stack"),
    cause,
    props as Record<string, unknown> | undefined,
  );
}

export function decodeReservedKeyObject(entries: unknown): Record<string, unknown> {
  if (!Array.isArray(entries) || entries.length % 2 !== 0) {
    throw new TypeError("an object with reserved keys must be an array of key, value pairs");
  }
  const object: Record<string, unknown> = {};
  for (let i = 0; i < entries.length; i += 2) {
    const key: unknown = entries[i];
    if (typeof key !== "string") throw new TypeError("object keys must be strings");
    // defineProperty makes "__proto__" an own data property instead of calling the setter.
    Object.defineProperty(object, key, {
      value: entries[i + 1],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return object;
}

/** Content of TAG_REGEXP → RegExp; throws TypeError (or SyntaxError) for a bad one. */
export function decodeRegExp(fields: unknown): RegExp {
  if (!Array.isArray(fields) || fields.length !== 2)
    throw new TypeError("a RegExp must be [source, flags]");
  const [source, flags] = fields as unknown[];
  if (typeof source !== "string" || typeof flags !== "string") {
    throw new TypeError("a RegExp's source and flags must be strings");
  }
  return new RegExp(source, flags);
}

/** Content of TAG_ARRAY_BUFFER → a copy: a view into the frame would expose the frame. */
export function decodeArrayBuffer(bytes: unknown): ArrayBuffer {
  const view = expectBytes(bytes, "an ArrayBuffer");
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
}

/** Content of TAG_DATA_VIEW → a DataView over the same bytes. */
export function decodeDataView(bytes: unknown): DataView {
  const view = expectBytes(bytes, "a DataView");
  return new DataView(view.buffer, view.byteOffset, view.byteLength);
}
