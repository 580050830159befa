/**
 * RPyC's channel framing (`rpyc/core/channel.py`):
 *
 *     frame = length:u32 BE | compressed:u8 (0/1) | payload[length] | "\n"
 *
 * The "\n" is not counted in `length`. Payloads over `COMPRESSION_THRESHOLD` bytes are sent
 * zlib-compressed (level 1, as RPyC does); a received frame is inflated whenever its flag says
 * so, bounded by `maxInflatedBytes`. Pure functions over bytes: no sockets, no timers.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { DEFAULT_BRINE_LIMITS, type BrineLimits } from "./brine-limits.ts";
import { BrineError, RPYC_ERR_BRINE_LIMIT, RPYC_ERR_BRINE_MALFORMED } from "./errors.ts";

/** RPyC compresses payloads longer than this many bytes. */
export const COMPRESSION_THRESHOLD = 3000;
const HEADER = 5;
const TRAILER = 0x0a;

/**
 * One frame around `payload`, compressed when it is over the threshold.
 *
 * @example
 * encodeFrame(Uint8Array.of(1, 2)); // 00 00 00 02 00 01 02 0a
 */
export function encodeFrame(payload: Uint8Array, compressOver = COMPRESSION_THRESHOLD): Buffer {
  let body: Uint8Array = payload;
  let compressed = 0;
  if (payload.length > compressOver) {
    body = deflateSync(payload, { level: 1 });
    compressed = 1;
  }
  const frame = Buffer.allocUnsafe(HEADER + body.length + 1);
  frame.writeUInt32BE(body.length, 0);
  frame[4] = compressed;
  frame.set(body, HEADER);
  frame[HEADER + body.length] = TRAILER;
  return frame;
}

/**
 * Reassembles frames from a byte stream split anyhow, and returns their payloads (inflated).
 * Throws `BrineError` on a bad header, a missing trailer, or a frame over the limits; after a
 * throw the stream is unusable (close the connection).
 *
 * @example
 * const reader = new FrameReader();
 * socket.on("data", (chunk) => { for (const payload of reader.push(chunk)) handle(payload); });
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(readonly limits: BrineLimits = DEFAULT_BRINE_LIMITS) {}

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): Buffer[] {
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#buffered += chunk.byteLength;
    const out: Buffer[] = [];
    for (;;) {
      if (this.#buffered < HEADER) break;
      const head = this.#peek(HEADER);
      const length = head.readUInt32BE(0);
      const flag = head[4]!;
      if (length > this.limits.maxFrameBytes) {
        throw new BrineError(
          RPYC_ERR_BRINE_LIMIT,
          `frame of ${length} bytes is over maxFrameBytes (${this.limits.maxFrameBytes})`,
        );
      }
      if (flag > 1) {
        throw new BrineError(
          RPYC_ERR_BRINE_MALFORMED,
          `frame compressed flag is ${flag}, not 0 or 1`,
        );
      }
      if (this.#buffered < HEADER + length + 1) break;
      const frame = this.#take(HEADER + length + 1);
      if (frame[HEADER + length] !== TRAILER) {
        throw new BrineError(RPYC_ERR_BRINE_MALFORMED, 'frame does not end with "\\n"');
      }
      const body = frame.subarray(HEADER, HEADER + length);
      out.push(flag === 1 ? this.#inflate(body) : body);
    }
    return out;
  }

  #inflate(body: Buffer): Buffer {
    try {
      return inflateSync(body, { maxOutputLength: this.limits.maxInflatedBytes });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new BrineError(
          RPYC_ERR_BRINE_LIMIT,
          `compressed frame inflates past maxInflatedBytes (${this.limits.maxInflatedBytes})`,
        );
      }
      throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "compressed frame is not valid zlib data");
    }
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length >= n) return this.#chunks[0]!;
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = [joined];
    return joined;
  }

  #take(n: number): Buffer {
    const joined = this.#peek(n);
    const frame = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered -= n;
    return frame;
  }
}
