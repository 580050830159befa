/**
 * The browser codec's CBOR reader (see codec-lite.ts): one CBOR item → wire values, building
 * what cbor-x and our tag decoders build on Node for the same bytes, and checking as it reads
 * everything the Node codec's `scanCbor` checks before cbor-x runs (scan-cbor.ts):
 * - well-formed, definite-length items only, and exactly one item (no trailing bytes);
 * - depth, array length, map size, text and byte string lengths within `Limits`, from the
 *   header, before anything is allocated (a length longer than the bytes left is refused too,
 *   so memory stays proportional to the input);
 * - only the tags rpyc-ts uses (see wire-tags.ts), each with the content type it requires;
 * - value sharing (tags 28/29) only backwards and never into an enclosing item (no cycles).
 *
 * It refuses the same inputs with the same codes: structural problems in the order scanCbor
 * meets them (`RPYC_ERR_LIMIT_EXCEEDED` or `RPYC_ERR_MALFORMED`), and content errors (a bad
 * RegExp, a malformed WireError, a map key that is not a string or a number) only once the
 * whole item has passed those checks, as on Node where they surface after the scan. Recursion
 * is bounded: every nesting level counts toward `limits.maxDepth` before it is entered.
 *
 * As on Node, byte strings are views into the input (no copy); so are typed arrays whose offset
 * is aligned to their element size. ArrayBuffers are copies.
 */
import { ProtocolError, RPYC_ERR_LIMIT_EXCEEDED, RPYC_ERR_MALFORMED } from "../errors.ts";
import type { Limits } from "../limits.ts";
import { RefKind, WireRef } from "../messages.ts";
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
  TAG_REGEXP,
  TAG_RESERVED_KEY_OBJECT,
  TAG_SET,
  TAG_SHAREABLE,
  TAG_SHARED_REF,
} from "./wire-tags.ts";

// Non-fatal like cbor-x; keeps a leading BOM (the string is data, not a document).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** What the item after a tag must be (scan-cbor.ts's `Expect`, as plain numbers). */
const ANY = 0;
const UINT32 = 1;
const BYTES = 2;
const NUMBER = 3;
const ARRAY = 4;
const MAP = 5;
const NULL = 6;
const SHAREABLE = 7;
const SHARED_ID = 8;

// The item being read: module state (plain variables, which a minifier shortens). Decoding
// calls no user code, so one decode never starts inside another.
let src: Uint8Array = new Uint8Array(0);
let view: DataView = new DataView(src.buffer);
let at = 0;
let limits: Limits;
let depth = 0;
/** Values of tag 28, by id; `open` holds the ids still being read (a reference to one is a cycle). */
let shared: unknown[] = [];
let open: number[] = [];
/** The first content error met, reported once the whole item passed the structural checks. */
let deferred: unknown;

function malformed(message: string): never {
  throw new ProtocolError(RPYC_ERR_MALFORMED, `malformed message: ${message}`);
}

function tooBig(what: string, size: number, limit: keyof Limits): never {
  const max = limits[limit];
  throw new ProtocolError(
    RPYC_ERR_LIMIT_EXCEEDED,
    `message rejected: ${what} of ${size} exceeds ${limit} (${max}); send less per message, or raise ${limit}`,
  );
}

/** Reads a header: its major type, additional information, and argument (a bigint on 8 bytes). */
function head(): [major: number, info: number, arg: number | bigint] {
  if (at >= src.length) malformed("truncated (more bytes were expected)");
  const initial = src[at++] as number;
  const major = initial >> 5;
  const info = initial & 0x1f;
  let arg: number | bigint = info;
  if (info >= 24) {
    if (info === 31) malformed("indefinite-length items are not part of the rpyc-ts wire format");
    if (info > 27) malformed(`reserved additional information ${info}`);
    const size = 2 ** (info - 24);
    if (at + size > src.length) malformed("truncated (more bytes were expected)");
    arg =
      info === 24
        ? view.getUint8(at)
        : info === 25
          ? view.getUint16(at)
          : info === 26
            ? view.getUint32(at)
            : view.getBigUint64(at);
    at += size;
    if (info === 27 && major >= 2 && major <= 6) {
      const high = view.getUint32(at - 8);
      if (high !== 0) {
        if (major === 6) malformed("unknown tag");
        throw new ProtocolError(
          RPYC_ERR_LIMIT_EXCEEDED,
          `message rejected: a declared length of ${high * 2 ** 32} exceeds the 4 GiB CBOR length cap`,
        );
      }
      arg = Number(arg);
    }
  }
  return [major, info, arg];
}

/** scan-cbor.ts's `checkExpected`: the item after a tag has the kind that tag requires. */
function expected(expect: number, major: number, info: number, arg: number, size: number): void {
  const ok =
    expect === UINT32 || expect === SHARED_ID
      ? major === 0 && info <= 26
      : expect === BYTES
        ? major === 2 && arg % size === 0
        : expect === NUMBER
          ? major === 0 || major === 1 || (major === 7 && info >= 25)
          : expect === ARRAY
            ? major === 4
            : expect === MAP
              ? major === 5
              : expect === NULL
                ? major === 7 && info === 22
                : expect === SHAREABLE
                  ? major === 4 ||
                    major === 5 ||
                    (major === 6 && arg !== TAG_SHAREABLE && arg !== TAG_SHARED_REF)
                  : true;
  if (!ok) malformed("a tag is followed by the wrong kind of item");
}

/** One nesting level deeper (arrays and maps with members, and tags other than 28). */
function enter(): void {
  if (++depth > limits.maxDepth) tooBig("nesting depth", depth, "maxDepth");
}

/** The item at `at`, which must be of kind `expect` (with elements of `size` bytes for BYTES). */
function item(expect = ANY, size = 1): unknown {
  const [major, info, arg] = head();
  const n = Number(arg);
  if (expect !== ANY) expected(expect, major, info, n, size);
  const left = src.length - at;
  switch (major) {
    case 0:
      return arg;
    case 1:
      return typeof arg === "bigint" ? -1n - arg : -1 - arg;
    case 2:
      if (n > limits.maxBytesLength) tooBig("a byte string", n, "maxBytesLength");
      if (n > left) malformed("truncated byte string");
      return src.subarray(at, (at += n));
    case 3:
      if (n > limits.maxStringBytes) tooBig("a string", n, "maxStringBytes");
      if (n > left) malformed("truncated text string");
      return utf8.decode(src.subarray(at, (at += n)));
    case 4: {
      if (n > limits.maxArrayLength) tooBig("an array", n, "maxArrayLength");
      if (n > left) malformed("array longer than the bytes left");
      const array: unknown[] = [];
      if (n > 0) enter();
      for (let i = 0; i < n; i++) array.push(item());
      if (n > 0) depth--;
      return array;
    }
    case 5: {
      if (n > limits.maxMapSize) tooBig("a map", n, "maxMapSize");
      if (n * 2 > left) malformed("map longer than the bytes left");
      if (n > 0) enter();
      const map = new Map<unknown, unknown>();
      const object: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = item();
        const value = item();
        if (expect === MAP) map.set(key, value);
        else if (typeof key === "object" && key !== null) {
          deferred ??= new TypeError("an object key must be a string or a number");
        } else object[key === "__proto__" ? "__proto_" : String(key)] = value;
      }
      if (n > 0) depth--;
      return expect === MAP ? map : object;
    }
    case 6:
      return tag(n);
    default: {
      if (info < 20 || info === 24) malformed(`unknown simple value ${n}`);
      const back = at - 2 ** (info - 24);
      if (info === 25) return half(view.getUint16(back));
      if (info === 26) return view.getFloat32(back);
      if (info === 27) return view.getFloat64(back);
      return [false, true, null, undefined][info - 20];
    }
  }
}

type TypedArrayClass = (typeof TYPED_ARRAY_CLASSES)[number][1] & { BYTES_PER_ELEMENT: number };
type Convert = (content: never) => unknown;

/**
 * Each tag: the kind of item its content must be (scan-cbor.ts's `tagContent`) and how its
 * value is built from that content. Tags 28 and 29 are read by `tag` itself.
 */
const TAGS = new Map<number, readonly [expect: number, convert: Convert, elementSize?: number]>([
  [TAG_SHAREABLE, [SHAREABLE, (content: unknown) => content]],
  [TAG_SHARED_REF, [SHARED_ID, (content: unknown) => content]],
  [TAG_ERROR, [ARRAY, decodeWireError]],
  [TAG_REGEXP, [ARRAY, decodeRegExp]],
  [TAG_RESERVED_KEY_OBJECT, [ARRAY, decodeReservedKeyObject]],
  [TAG_SET, [ARRAY, (content: unknown[]) => new Set(content)]],
  [TAG_MAP, [MAP, (content: unknown) => content]],
  [TAG_ARRAY_BUFFER, [BYTES, decodeArrayBuffer]],
  [TAG_DATA_VIEW, [BYTES, decodeDataView]],
  [TAG_BIGNUM_POSITIVE, [BYTES, bignumFromBytes]],
  [TAG_BIGNUM_NEGATIVE, [BYTES, (content: Uint8Array) => -1n - bignumFromBytes(content)]],
  [TAG_DATE, [NUMBER, (content: number) => new Date(content * 1000)]],
  [TAG_DATE_MS, [NUMBER, (content: number) => new Date(content)]],
  [TAG_NEGATIVE_ZERO, [NULL, () => -0]],
  [
    64,
    [
      BYTES,
      (content: Uint8Array) =>
        new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
    ],
  ],
]);
for (const kind of [RefKind.Mine, RefKind.Yours, RefKind.Pending]) {
  TAGS.set(TAG_REF_MINE + kind, [UINT32, (id: number) => new WireRef(kind, id)]);
}
for (const [number, Class] of TYPED_ARRAY_CLASSES) {
  const { BYTES_PER_ELEMENT } = Class as TypedArrayClass;
  TAGS.set(number, [
    BYTES,
    (content: Uint8Array) => typedArray(Class as TypedArrayClass, content),
    BYTES_PER_ELEMENT,
  ]);
}

function tag(number: number): unknown {
  const entry = TAGS.get(number);
  if (entry === undefined) malformed(`unknown tag ${number}`);
  if (number === TAG_SHAREABLE) {
    const id = shared.push(undefined) - 1;
    open.push(id);
    shared[id] = item(SHAREABLE);
    open.pop();
    return shared[id];
  }
  enter(); // as in scanCbor, every tag but 28 is a nesting level, 29 included
  const [expect, convert, size = 1] = entry;
  const content = item(expect, size);
  depth--;
  if (number === TAG_SHARED_REF) {
    const id = content as number;
    if (id >= shared.length) malformed(`shared reference ${id} points forward`);
    if (open.includes(id)) malformed("cyclic value (a shared reference into its own container)");
    return shared[id];
  }
  try {
    return (convert as (content: unknown) => unknown)(content);
  } catch (error) {
    deferred ??= error;
    return undefined;
  }
}

/** RFC 8746 little-endian typed-array content → a view (a copy when unaligned). */
function typedArray(Class: TypedArrayClass, bytes: Uint8Array): ArrayBufferView {
  const aligned = bytes.byteOffset % Class.BYTES_PER_ELEMENT === 0;
  const source = aligned ? bytes : Uint8Array.prototype.slice.call(bytes); // (Buffer#slice is a view)
  return new (
    Class as unknown as new (b: ArrayBufferLike, o: number, l: number) => ArrayBufferView
  )(source.buffer, source.byteOffset, source.byteLength / Class.BYTES_PER_ELEMENT);
}

/** IEEE 754 half precision → number (cbor-x reads float16 the same way). */
function half(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * Reads one CBOR item, all of `bytes`, within `checks`. Throws `ProtocolError`:
 * `RPYC_ERR_LIMIT_EXCEEDED` past a limit, `RPYC_ERR_MALFORMED` for anything else wrong.
 *
 * @example
 * const wire = liteDecode(payload, DEFAULT_LIMITS); // e.g. [2, 1, "hello"]
 */
export function liteDecode(bytes: Uint8Array, checks: Limits): unknown {
  src = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  at = 0;
  limits = checks;
  depth = 0;
  shared = [];
  open = [];
  deferred = undefined;
  try {
    const wire = item();
    if (at !== bytes.length) malformed(`${bytes.length - at} bytes after the end of the message`);
    if (deferred !== undefined) {
      const message = deferred instanceof Error ? deferred.message : String(deferred);
      throw new ProtocolError(RPYC_ERR_MALFORMED, `malformed message: ${message}`, {
        cause: deferred,
      });
    }
    return wire;
  } finally {
    src = new Uint8Array(0);
    shared = [];
    deferred = undefined;
  }
}
