/**
 * Framing for byte streams: each message is a 4-byte big-endian length prefix followed by that
 * many payload bytes. Pure functions and a push-style decoder: no sockets, no timers.
 * (Like ws's `Sender.frame()` and `Receiver`, the framing is testable with hex bytes alone.)
 */
import { FrameTooLargeError } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";

/**
 * Length of the prefix in front of every frame.
 *
 * @example
 * const payloadLength = frame.length - FRAME_HEADER_BYTES;
 */
export const FRAME_HEADER_BYTES = 4;

const MAX_PREFIX = 0xffff_ffff;

/**
 * A buffer for a frame arriving in pieces, sized exactly (the frame owns its ArrayBuffer). From
 * 4 KiB on, Node's `Buffer.allocUnsafe` when there is one: every byte is written before the
 * frame is handed out, so zero-filling would be wasted work (~1 µs per KiB; below 4 KiB Node
 * would hand out a slice of its shared pool). Duck-typed: this package also runs in browsers.
 */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;
const UNPOOLED_BYTES = 4096;
function allocFrame(size: number): Uint8Array {
  return NodeBuffer !== undefined && size >= UNPOOLED_BYTES
    ? NodeBuffer.allocUnsafe(size)
    : new Uint8Array(size);
}

/**
 * The 4-byte big-endian prefix for a payload of `payloadLength` bytes. Lets a writer send the
 * header and a large payload as two writes, without concatenating them.
 *
 * @example
 * socket.write(frameHeader(payload.length));
 * socket.write(payload);
 */
export function frameHeader(payloadLength: number): Uint8Array {
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_PREFIX) {
    throw new RangeError(`a frame payload must be 0 to ${MAX_PREFIX} bytes, got ${payloadLength}`);
  }
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  writeFrameHeader(header, 0, payloadLength);
  return header;
}

/**
 * Header and payload in one new buffer (one copy of the payload). For large payloads prefer
 * writing `frameHeader(n)` and the payload separately.
 *
 * @example
 * socket.write(encodeFrame(encodeMessage(message)));
 */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  frame.set(payload, writeFrameHeader(frame, 0, payload.length));
  return frame;
}

/**
 * Writes the 4-byte big-endian prefix of a `payloadLength`-byte payload into `target` at `at`
 * and returns the offset after it, where the payload goes: the one length writer of rpyc-ts
 * (stream transports pack many frames into one buffer with it, the WebSocket batch too). The
 * caller guarantees 4 bytes of room and a length of 0 to 2^32-1 (`frameHeader` checks).
 */
export function writeFrameHeader(target: Uint8Array, at: number, payloadLength: number): number {
  target[at] = payloadLength >>> 24;
  target[at + 1] = (payloadLength >>> 16) & 0xff;
  target[at + 2] = (payloadLength >>> 8) & 0xff;
  target[at + 3] = payloadLength & 0xff;
  return at + FRAME_HEADER_BYTES;
}

/** Reads a 4-byte big-endian length at `at` (the caller checked that 4 bytes are there). */
export function readFrameHeader(source: Uint8Array, at: number): number {
  return (
    (source[at] as number) * 0x100_0000 +
    (((source[at + 1] as number) << 16) |
      ((source[at + 2] as number) << 8) |
      (source[at + 3] as number))
  );
}

/**
 * Incremental frame decoder: push chunks as they arrive (split anywhere, many frames per chunk,
 * one byte at a time), get complete payloads back in order.
 *
 * Memory: the prefix is checked against `maxFrameBytes` before anything is allocated. A frame
 * that spans chunks and is at most `PRESIZED_FRAME_BYTES` gets one buffer of exactly its size;
 * a larger one is collected as the pieces that arrived and joined once complete, so what a
 * half-sent frame holds grows with the bytes that arrived, never with what its prefix
 * announces (a 64 MiB prefix followed by one byte costs one byte, not 64 MiB). A frame
 * that lies whole inside one chunk is returned as a view into that chunk (no copy), so do not
 * reuse a chunk's memory after pushing it (Node's socket chunks are never reused).
 *
 * After a `FrameTooLargeError` the stream cannot be resynchronised: every later `push` throws it
 * again. Close the connection.
 *
 * @example
 * const frames = new FrameDecoder(resolveLimits({ maxFrameBytes: 1 << 20 }));
 * socket.on("data", (chunk) => {
 *   for (const payload of frames.push(chunk)) handle(decodeMessage(payload));
 * });
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** The frame in progress, pre-sized (up to PRESIZED_FRAME_BYTES). */
  #frame: Uint8Array | undefined;
  #frameFill = 0;
  /** The large frame in progress: its length and the pieces received so far. */
  #large: LargeFrame | undefined;
  #failure: FrameTooLargeError | undefined;

  constructor(limits: Limits = DEFAULT_LIMITS) {
    this.#maxFrameBytes = limits.maxFrameBytes;
  }

  /** Bytes received and not yet returned: the frame in progress (its prefix and payload so far). */
  get bufferedBytes(): number {
    if (this.#large !== undefined) return FRAME_HEADER_BYTES + this.#large.received;
    return this.#frame === undefined ? this.#headerFill : FRAME_HEADER_BYTES + this.#frameFill;
  }

  /**
   * Feeds `chunk`; returns every payload it completes, in order (often none or one). Throws
   * `FrameTooLargeError` (a `ProtocolError`, code `RPYC_ERR_FRAME_TOO_LARGE`) on a prefix above
   * `maxFrameBytes`; its `frames` carries the payloads completed earlier in this chunk.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failure) throw this.#failure;
    const out: Uint8Array[] = [];
    const end = chunk.length;
    let at = 0;
    while (at < end) {
      const large = this.#large;
      if (large !== undefined) {
        const take = Math.min(large.length - large.received, end - at);
        large.add(chunk.subarray(at, at + take));
        at += take;
        if (large.received === large.length) {
          out.push(large.join());
          this.#large = undefined;
        }
        continue;
      }
      let frame = this.#frame;
      if (frame === undefined) {
        let length: number;
        if (this.#headerFill === 0 && end - at >= FRAME_HEADER_BYTES) {
          length = readFrameHeader(chunk, at);
          at += FRAME_HEADER_BYTES;
        } else {
          // At most 4 bytes: a loop beats allocating a subarray.
          while (this.#headerFill < FRAME_HEADER_BYTES && at < end) {
            this.#header[this.#headerFill++] = chunk[at++] as number;
          }
          if (this.#headerFill < FRAME_HEADER_BYTES) break;
          this.#headerFill = 0;
          length = readFrameHeader(this.#header, 0);
        }
        if (length > this.#maxFrameBytes) {
          this.#failure = new FrameTooLargeError(length, this.#maxFrameBytes);
          throw new FrameTooLargeError(length, this.#maxFrameBytes, out);
        }
        if (end - at >= length) {
          // Whole frame in this chunk: hand out a view, no copy.
          out.push(chunk.subarray(at, at + length));
          at += length;
          continue;
        }
        if (length > PRESIZED_FRAME_BYTES) {
          this.#large = new LargeFrame(length);
          continue;
        }
        frame = this.#frame = allocFrame(length);
        this.#frameFill = 0;
      }
      const take = Math.min(frame.length - this.#frameFill, end - at);
      if (take < 64) {
        for (let i = 0; i < take; i++) frame[this.#frameFill + i] = chunk[at + i] as number;
      } else {
        frame.set(chunk.subarray(at, at + take), this.#frameFill);
      }
      this.#frameFill += take;
      at += take;
      if (this.#frameFill === frame.length) {
        out.push(frame);
        this.#frame = undefined;
        this.#frameFill = 0;
      }
    }
    return out;
  }
}

/**
 * Frames up to this size that span chunks get a buffer of their full size at once (cheap, and
 * bounded); larger ones grow with the bytes that arrived (`LargeFrame`).
 *
 * @example
 * // a half-sent frame holds at most max(PRESIZED_FRAME_BYTES, bytes received) of memory
 */
export const PRESIZED_FRAME_BYTES = 64 * 1024;

/**
 * A large frame arriving in pieces: the pieces are kept as they came (views of the pushed
 * chunks, which the caller must not reuse) and copied once, into one buffer, when the last
 * arrives. Each byte is copied once, as with a pre-sized buffer. A small view of a much larger
 * buffer is copied at once, so that holding it cannot pin more than it carries.
 */
class LargeFrame {
  received = 0;
  readonly #pieces: Uint8Array[] = [];

  constructor(readonly length: number) {}

  add(piece: Uint8Array): void {
    this.#pieces.push(
      piece.buffer.byteLength > 2 * piece.byteLength + 4096 ? piece.slice() : piece,
    );
    this.received += piece.byteLength;
  }

  join(): Uint8Array {
    const out = allocFrame(this.length);
    let offset = 0;
    for (const piece of this.#pieces) {
      out.set(piece, offset);
      offset += piece.byteLength;
    }
    return out;
  }
}
