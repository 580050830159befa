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
}

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
});

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
