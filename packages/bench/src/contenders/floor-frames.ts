/**
 * The floor's wire: hand-rolled binary messages behind a 4-byte big-endian length prefix.
 * A frame body is `[type u8][id u32 BE][payload]`. Written to be as cheap as Node allows, since
 * every ratio in the table divides by it:
 * - small messages are one `Buffer` and one `socket.write`;
 * - a large payload goes out as header + payload in one corked `writev` (never copied);
 * - the reader hands out a frame that lies inside one chunk as a zero-copy `subarray`, and sizes
 *   the buffer of a frame split across chunks once, from its prefix.
 * It is deliberately "naive" in one way: one write per message, no coalescing across messages.
 */
import type { Socket } from "node:net";

export const FrameType = {
  Add: 1,
  Result: 2,
  Echo: 3,
  Bytes: 4,
  CallMe: 5,
  Callback: 6,
  CallbackResult: 7,
  GetValue: 8,
  Chain: 9,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Length prefix + type + id. */
export const HEADER_BYTES = 9;

/** Largest frame body the reader accepts (a bound, not a tuning knob). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Allocates a whole small frame with room for `payloadBytes`; the payload starts at `HEADER_BYTES`. */
export function allocFrame(type: FrameType, id: number, payloadBytes: number): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  frame.writeUInt32BE(5 + payloadBytes, 0);
  frame[4] = type;
  frame.writeUInt32BE(id, 5);
  return frame;
}

/** Sends a frame whose payload is one f64 (or none when `value` is undefined). */
export function sendNumber(socket: Socket, type: FrameType, id: number, value?: number): void {
  if (value === undefined) {
    socket.write(allocFrame(type, id, 0));
    return;
  }
  const frame = allocFrame(type, id, 8);
  frame.writeDoubleLE(value, HEADER_BYTES);
  socket.write(frame);
}

/** Sends a frame carrying `payload` without copying it (corked header + payload → one writev). */
export function sendBytes(socket: Socket, type: FrameType, id: number, payload: Uint8Array): void {
  socket.cork();
  socket.write(allocFrame(type, id, payload.byteLength).subarray(0, HEADER_BYTES));
  socket.write(payload);
  socket.uncork();
}

/** Incremental frame reader; `push` each chunk, `onFrame` gets each complete body in order. */
export class FrameReader {
  readonly #onFrame: (body: Buffer) => void;
  readonly #prefix = Buffer.alloc(4);
  #prefixFill = 0;
  #body: Buffer | undefined;
  #bodyFill = 0;

  constructor(onFrame: (body: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#body === undefined) {
        let length: number;
        if (this.#prefixFill === 0 && chunk.length - offset >= 4) {
          length = chunk.readUInt32BE(offset);
          offset += 4;
          if (chunk.length - offset >= length) {
            this.#check(length);
            this.#onFrame(chunk.subarray(offset, offset + length));
            offset += length;
            continue;
          }
        } else {
          const take = Math.min(4 - this.#prefixFill, chunk.length - offset);
          chunk.copy(this.#prefix, this.#prefixFill, offset, offset + take);
          this.#prefixFill += take;
          offset += take;
          if (this.#prefixFill < 4) return;
          this.#prefixFill = 0;
          length = this.#prefix.readUInt32BE(0);
        }
        this.#check(length);
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFill = 0;
      }
      const body = this.#body;
      const take = Math.min(body.length - this.#bodyFill, chunk.length - offset);
      chunk.copy(body, this.#bodyFill, offset, offset + take);
      this.#bodyFill += take;
      offset += take;
      if (this.#bodyFill === body.length) {
        this.#body = undefined;
        this.#onFrame(body);
      }
    }
  }

  #check(length: number): void {
    if (length < 5 || length > MAX_FRAME_BYTES) {
      throw new Error(`floor: bad frame length ${length}`);
    }
  }
}

/** Frame type of a body handed out by `FrameReader`. */
export function frameType(body: Buffer): number {
  return body[0]!;
}

/** Request id of a body handed out by `FrameReader`. */
export function frameId(body: Buffer): number {
  return body.readUInt32BE(1);
}

/** The f64 payload of a body handed out by `FrameReader`. */
export function frameNumber(body: Buffer): number {
  return body.readDoubleLE(5);
}
