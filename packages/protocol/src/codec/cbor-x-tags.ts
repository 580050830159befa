/**
 * Registers the rpyc-ts tags (wire-tags.ts) with cbor-x, for the Node codec (codec.ts).
 *
 * NOTE: cbor-x keeps its extension table module-global. `registerWireTags()` (called lazily by
 * the codec, never at import) therefore changes cbor-x for everyone in the process: our classes
 * encode with our tags, RegExp encodes with TAG_REGEXP instead of cbor-x's tag 27, and tags 2/3
 * decode in linear time (cbor-x's own loop is quadratic in the bignum's length).
 */
import { addExtension } from "cbor-x";
import { RefKind, WireError, WireRef } from "../messages.ts";
import {
  BigNum,
  bignumFromBytes,
  decodeArrayBuffer,
  decodeDataView,
  decodeRegExp,
  decodeReservedKeyObject,
  decodeWireError,
  expectBytes,
  NegativeZero,
  ReservedKeyObject,
  TAG_ARRAY_BUFFER,
  TAG_BIGNUM_NEGATIVE,
  TAG_BIGNUM_POSITIVE,
  TAG_DATA_VIEW,
  TAG_DATE_MS,
  TAG_ERROR,
  TAG_NEGATIVE_ZERO,
  TAG_REF_MINE,
  TAG_REF_PENDING,
  TAG_REF_YOURS,
  TAG_REGEXP,
  TAG_RESERVED_KEY_OBJECT,
} from "./wire-tags.ts";

type EncodeFn = (value: unknown) => void;

// A raw (untagged) byte string: cbor-x tags plain Uint8Arrays (64) when Node's Buffer exists,
// but writes Buffers untagged; in a browser it writes Uint8Arrays untagged.
const NodeBuffer = (
  globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): Uint8Array } }
).Buffer;
function rawBytes(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array {
  return NodeBuffer
    ? NodeBuffer.from(buffer, offset, length)
    : new Uint8Array(buffer, offset, length);
}

let registered = false;

/**
 * Registers the rpyc-ts extensions with cbor-x (once per process; module-global, see header).
 *
 * @example
 * registerWireTags(); // then new Encoder(...).encode(new WireRef(RefKind.Mine, 1))
 */
export function registerWireTags(): void {
  if (registered) return;
  registered = true;
  addExtension({
    Class: WireError,
    tag: TAG_ERROR,
    encode(error: WireError, encode: EncodeFn) {
      const fields: unknown[] = [
        error.name,
        error.message,
        error.code,
        error.stack,
        error.cause,
        error.props,
      ];
      let length = fields.length;
      while (length > 2 && fields[length - 1] === undefined) length--;
      fields.length = length;
      encode(fields);
    },
    decode: decodeWireError,
  } as never);
  addExtension({
    Class: RegExp,
    tag: TAG_REGEXP,
    encode: (regexp: RegExp, encode: EncodeFn) => encode([regexp.source, regexp.flags]),
    decode: decodeRegExp,
  } as never);
  addExtension({
    Class: ArrayBuffer,
    tag: TAG_ARRAY_BUFFER,
    encode: (buffer: ArrayBuffer, encode: EncodeFn) =>
      encode(rawBytes(buffer, 0, buffer.byteLength)),
    decode: decodeArrayBuffer,
  } as never);
  addExtension({
    Class: DataView,
    tag: TAG_DATA_VIEW,
    encode: (view: DataView, encode: EncodeFn) =>
      encode(rawBytes(view.buffer, view.byteOffset, view.byteLength)),
    decode: decodeDataView,
  } as never);
  addExtension({
    Class: ReservedKeyObject,
    tag: TAG_RESERVED_KEY_OBJECT,
    encode: (object: ReservedKeyObject, encode: EncodeFn) => encode(object.entries),
    decode: decodeReservedKeyObject,
  } as never);
  addExtension({
    Class: Date,
    tag: TAG_DATE_MS,
    encode: (date: Date, encode: EncodeFn) => encode(date.getTime()),
    decode: (ms: unknown) => new Date(ms as number),
  } as never);
  addExtension({
    Class: NegativeZero,
    tag: TAG_NEGATIVE_ZERO,
    encode: (_: NegativeZero, encode: EncodeFn) => encode(null),
    decode: () => -0,
  } as never);
  addExtension({
    Class: BigNum,
    getTag: (big: BigNum) => (big.negative ? TAG_BIGNUM_NEGATIVE : TAG_BIGNUM_POSITIVE),
    encode: (big: BigNum, encode: EncodeFn) =>
      encode(rawBytes(big.bytes.buffer, big.bytes.byteOffset, big.bytes.byteLength)),
  } as never);
  addExtension({
    tag: TAG_BIGNUM_POSITIVE,
    decode: (bytes: unknown) => bignumFromBytes(expectBytes(bytes, "a bignum")),
  } as never);
  addExtension({
    tag: TAG_BIGNUM_NEGATIVE,
    decode: (bytes: unknown) => -1n - bignumFromBytes(expectBytes(bytes, "a bignum")),
  } as never);
  // Registered last: cbor-x tries extensions newest first, and refs are the most common.
  // Classes whose tag depends on the value register their encoder (getTag) and their decoders
  // apart: cbor-x files a decoder under `extension.tag`.
  addExtension({
    Class: WireRef,
    getTag: (ref: WireRef) => TAG_REF_MINE + ref.kind,
    encode: (ref: WireRef, encode: EncodeFn) => encode(ref.id),
  } as never);
  addExtension({
    tag: TAG_REF_MINE,
    decode: (id: unknown) => new WireRef(RefKind.Mine, id as number),
  } as never);
  addExtension({
    tag: TAG_REF_YOURS,
    decode: (id: unknown) => new WireRef(RefKind.Yours, id as number),
  } as never);
  addExtension({
    tag: TAG_REF_PENDING,
    decode: (id: unknown) => new WireRef(RefKind.Pending, id as number),
  } as never);
}
