/**
 * Decoding limits. The receiver enforces them on every frame and message, before it allocates:
 * exceeding one is a `ProtocolError` (`RPYC_ERR_FRAME_TOO_LARGE` or `RPYC_ERR_LIMIT_EXCEEDED`).
 * They bound what one peer can make the other allocate or recurse into.
 */

/** Bounds on what one frame and one decoded message may contain. */
export interface Limits {
  /** Largest frame payload, in bytes (the length prefix is checked before any allocation). */
  maxFrameBytes: number;
  /** Deepest nesting of containers and tags in one message (the message array itself is 1). */
  maxDepth: number;
  /** Most elements in one array (also bounds Set sizes and WireError fields). */
  maxArrayLength: number;
  /** Most entries in one map (plain object or Map). */
  maxMapSize: number;
  /** Longest text string, in UTF-8 bytes. */
  maxStringBytes: number;
  /** Longest byte string (Uint8Array, Buffer, typed array, ArrayBuffer, DataView, bignum), in bytes. */
  maxBytesLength: number;
  /**
   * Budget of one whole message, in items: every CBOR data item at every level (each array,
   * map, map key, string, number, tag…) costs 1, a reference (`WireRef` tag, which unboxing
   * turns into a netref) costs `REF_ITEM_COST`. It bounds the objects decoding and unboxing
   * build from one frame, whatever its shape (a frame of 1-byte empty maps builds one object
   * per byte); each container's own limits cannot. Checked by the header scan, before
   * anything is built.
   */
  maxItems: number;
}

/**
 * What one reference costs against `maxItems`: unboxing makes a netref of it (a proxy and
 * its table entries, a few hundred bytes), not one small object.
 *
 * @example
 * const refsPerMessage = DEFAULT_LIMITS.maxItems / REF_ITEM_COST; // 131,072
 */
export const REF_ITEM_COST = 16;

const MiB = 1024 * 1024;

/**
 * The defaults, chosen so that one frame can never cost more than a small multiple of
 * `maxFrameBytes` in memory, and nesting never comes near the JS stack limit.
 *
 * | limit          | default    |
 * |----------------|------------|
 * | maxFrameBytes  | 64 MiB     |
 * | maxDepth       | 64         |
 * | maxArrayLength | 1,048,576  |
 * | maxMapSize     | 262,144    |
 * | maxStringBytes | 16 MiB     |
 * | maxBytesLength | 64 MiB     |
 * | maxItems       | 2,097,152  |
 *
 * `maxItems` is `maxFrameBytes / 32`: the smallest item a JS decoder builds (an empty object,
 * ~64 bytes with its slot) then costs at most ~2 × maxFrameBytes of heap for one message.
 *
 * @example
 * const limits = { ...DEFAULT_LIMITS, maxFrameBytes: 1024 * 1024 };
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 64 * MiB,
  maxDepth: 64,
  maxArrayLength: 1_048_576,
  maxMapSize: 262_144,
  maxStringBytes: 16 * MiB,
  maxBytesLength: 64 * MiB,
  maxItems: 2_097_152,
});

/** The names of every limit, in a fixed order (the Hello announces them all). */
export const LIMIT_NAMES: readonly (keyof Limits)[] = Object.freeze(
  Object.keys(DEFAULT_LIMITS) as (keyof Limits)[],
);

/**
 * The limits a sender must respect: what the receiving peer announced it enforces, and for a
 * limit it did not announce (an older peer announces only `maxFrameBytes`), this side's own.
 *
 * @example
 * const sendLimits = peerSendLimits(resolveLimits(), hello.limits);
 */
export function peerSendLimits(own: Limits, peer: Readonly<Partial<Limits>>): Limits {
  const limits: Limits = { ...own };
  for (const key of LIMIT_NAMES) {
    const value = peer[key];
    if (value !== undefined && Number.isSafeInteger(value) && value > 0) limits[key] = value;
  }
  return limits;
}

/** No frame may exceed what a 4-byte length prefix can announce. */
const MAX_PREFIX = 0xffff_ffff;

/**
 * `DEFAULT_LIMITS` with `partial` laid over it. Every value must be a positive integer
 * (`maxFrameBytes` at most 2^32 - 1, the largest a 4-byte prefix can announce).
 *
 * @example
 * const limits = resolveLimits({ maxFrameBytes: 1 << 20 });
 * new FrameDecoder(limits);
 * decodeMessage(payload, limits);
 */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (partial === undefined) return limits;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`limit ${key} must be a positive integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  if (limits.maxFrameBytes > MAX_PREFIX) {
    throw new RangeError(`limit maxFrameBytes must be at most ${MAX_PREFIX} (a 4-byte prefix)`);
  }
  return limits;
}

/**
 * Byte strings of at least this many bytes travel as their own segment in
 * `encodeMessageSegments` (by reference, not copied). Here, not in
 * fast-encode.ts, so that the browser entry exports it without the Node encoder's module state.
 *
 * @example
 * if (payload.byteLength >= OUT_OF_LINE_BYTES) console.log("sent without a copy");
 */
export const OUT_OF_LINE_BYTES = 64 * 1024;
