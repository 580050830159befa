/**
 * A `Transport` over any Node-style duplex byte stream (a `net.Socket`, a `tls.TLSSocket`, a
 * child's stdio pair adapted to one object). Each frame travels as a 4-byte big-endian length
 * prefix plus the payload (`@rpyc/protocol`'s framing).
 *
 * No Node import here: core also runs in browsers, so the duplex is duck-typed.
 *
 * Write path: frames sent in the same tick are written together on the next microtask, or
 * earlier: at the end of the `data` event that produced them (replies of synchronous handlers),
 * or when the connection calls `flush()` after a batch of requests. Small frames are copied into
 * one buffer with their headers (one write, one syscall); a large frame's payload is written
 * as-is after its header, never copied, and so is each large piece of a frame sent in pieces
 * (`sendSegments`: a message carrying a large byte string). When `write()` returns false the
 * frames wait in a queue until `drain`.
 *
 * Backpressure: while the bytes owed to the peer (our queue plus what the stream buffers,
 * `writableLength`) are above `highWaterBytes`, the transport stops delivering the peer's
 * frames and pauses the stream, so a peer that sends requests without reading the replies stops
 * being served instead of filling our memory; reading resumes on `drain`. The hard bound
 * `maxQueuedBytes` is checked on every send: past it the transport fails with
 * `RPYC_ERR_SEND_QUEUE_FULL` (replies of requests already running can still exceed the mark).
 *
 * Read path: `FrameDecoder` (memory in step with the bytes that arrived). Bad input (an
 * oversize prefix, a frame that stalls past `frameTimeoutMs`, bytes of another protocol) is
 * reported to the connection through `onInputError`, which sends the peer a coded `Close`
 * before the transport closes; without that handler the transport just fails.
 */
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  resolveLimits,
  writeFrameHeader,
  type Limits,
} from "@rpyc/protocol";
import { TransportError } from "./errors.ts";
import { notRpycError, previewBytes } from "./foreign-bytes.ts";
import type { Transport, TransportHandlers } from "./transport.ts";

/**
 * The part of a Node `Duplex` the stream transport uses. `net.Socket`, `tls.TLSSocket` and
 * `stream.Duplex` satisfy it as they are.
 *
 * @example
 * const duplex: DuplexLike = net.createConnection({ port: 18861 });
 */
export interface DuplexLike {
  /** Returns false when the stream's buffer is full: the transport then waits for `drain`. */
  write(chunk: Uint8Array): boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "drain" | "end" | "close", listener: () => void): unknown;
  /** Ends the writable side after the queued data (a FIN on a socket). */
  end(): unknown;
  /** Releases the stream at once; it must emit `close` afterwards. */
  destroy(): unknown;
  /** Optional: batch the writes of one flush into one `writev` (Node streams have it). */
  cork?(): void;
  uncork?(): void;
  /** Optional: bytes the stream buffers, not yet handed to the OS (Node streams have it). */
  readonly writableLength?: number;
  /** Optional: stop and restart `data` events (backpressure on the peer's input). */
  pause?(): unknown;
  resume?(): unknown;
}

/**
 * Options of `createStreamTransport`.
 *
 * @example
 * createStreamTransport(socket, { limits: { maxFrameBytes: 1 << 20 }, maxQueuedBytes: 8 << 20 });
 */
export interface StreamTransportOptions {
  /** Frame limits for what we accept (only `maxFrameBytes` matters here). Default: `DEFAULT_LIMITS`. */
  readonly limits?: Partial<Limits>;
  /**
   * Bytes that may wait for `drain` before the transport fails with `RPYC_ERR_SEND_QUEUE_FULL`.
   * Default `DEFAULT_MAX_QUEUED_BYTES` (128 MiB: room for one maximum-size frame and more).
   */
  readonly maxQueuedBytes?: number;
  /**
   * After `close()`, how long to wait for the peer to finish the close (its FIN) before the
   * stream is destroyed. Default `DEFAULT_CLOSE_TIMEOUT_MS` (3 s).
   */
  readonly closeTimeoutMs?: number;
  /**
   * Bytes owed to the peer above which its input is paused until they drain (backpressure).
   * Default `DEFAULT_HIGH_WATER_BYTES` (8 MiB).
   */
  readonly highWaterBytes?: number;
  /**
   * How long a partly received frame may wait for its next bytes before the connection closes
   * with `RPYC_ERR_FRAME_TIMEOUT`. Default `DEFAULT_FRAME_TIMEOUT_MS` (30 s); 0 = no timeout.
   */
  readonly frameTimeoutMs?: number;
}

/**
 * The bounds a transport package passes through from its own options (tcp `serve`/`connect`,
 * stdio): every one optional, with the defaults above.
 *
 * @example
 * interface ServeOptions extends StreamBounds { readonly port?: number }
 */
export type StreamBounds = Pick<
  StreamTransportOptions,
  "maxQueuedBytes" | "highWaterBytes" | "frameTimeoutMs"
>;

/**
 * The `StreamBounds` of `options` (a package's wider options object), and its wire limits.
 *
 * @example
 * createStreamTransport(socket, streamOptionsOf(options));
 */
export function streamOptionsOf(
  options: StreamBounds & { readonly config?: { readonly limits?: Partial<Limits> } },
): StreamTransportOptions {
  const { maxQueuedBytes, highWaterBytes, frameTimeoutMs } = options;
  return { limits: options.config?.limits, maxQueuedBytes, highWaterBytes, frameTimeoutMs };
}

/**
 * Default backpressure mark: 8 MiB owed to the peer pauses its input.
 *
 * @example
 * createStreamTransport(socket, { highWaterBytes: DEFAULT_HIGH_WATER_BYTES / 4 });
 */
export const DEFAULT_HIGH_WATER_BYTES = 8 * 1024 * 1024;
/**
 * Default time a partly received frame may stall (no new byte) before the close: 30 s.
 *
 * @example
 * createStreamTransport(socket, { frameTimeoutMs: DEFAULT_FRAME_TIMEOUT_MS / 3 });
 */
export const DEFAULT_FRAME_TIMEOUT_MS = 30_000;

/**
 * Default bound of the send queue (bytes waiting for `drain`): 128 MiB.
 *
 * @example
 * createStreamTransport(socket, { maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES / 8 });
 */
export const DEFAULT_MAX_QUEUED_BYTES = 128 * 1024 * 1024;
/**
 * Default time a closing stream waits for its peer before it is destroyed: 3 s.
 *
 * @example
 * createStreamTransport(socket, { closeTimeoutMs: DEFAULT_CLOSE_TIMEOUT_MS * 2 });
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 3000;
/**
 * Frames at least this large are written as-is after their header instead of being copied into
 * the coalesced buffer: a copy costs more than the extra `writev` entry.
 *
 * @example
 * // frames of LARGE_FRAME_BYTES or more are written as-is, after their header
 */
export const LARGE_FRAME_BYTES = 64 * 1024;

// Microtask scheduling through a resolved promise: Node's `queueMicrotask` wraps every callback
// in an AsyncResource, which costs more than the flush it schedules.
const RESOLVED = Promise.resolve();

/**
 * Node's `Buffer.allocUnsafe` when there is one (small sizes come from Node's pool, and a
 * Buffer is what `socket.write` wants: a plain Uint8Array is converted first), else a plain
 * `Uint8Array`. Duck-typed: core also runs in browsers.
 */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;
const allocBytes: (size: number) => Uint8Array =
  NodeBuffer === undefined
    ? (size) => new Uint8Array(size)
    : (size) => NodeBuffer.allocUnsafe(size);

/**
 * Wraps a duplex byte stream as a `Transport` (length-prefixed frames, coalesced writes,
 * bounded backpressure). The transport owns the stream from now on: it ends or destroys it.
 *
 * @example
 * import { createConnection } from "node:net";
 * const socket = createConnection({ host: "127.0.0.1", port: 18861 });
 * const conn = await connectTransport(createStreamTransport(socket), { service: new VoidService() });
 */
export function createStreamTransport(
  duplex: DuplexLike,
  options: StreamTransportOptions = {},
): Transport {
  return new StreamTransport(duplex, options);
}

class StreamTransport implements Transport {
  #closed = false;
  #handlers: TransportHandlers | undefined;
  /** Frames decoded before `start()`, delivered by it in order. */
  #early: Uint8Array[] | undefined = [];
  /** Set once the stream is gone; `onClose` waits for `start()` if needed. */
  #finished = false;
  #closeError: Error | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #duplex: DuplexLike;
  readonly #decoder: FrameDecoder;
  readonly #maxQueuedBytes: number;
  readonly #closeTimeoutMs: number;
  readonly #highWaterBytes: number;
  readonly #frameTimeoutMs: number;
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  /** No frame decoded yet: a bad prefix now may be another protocol talking (NOT_RPYC). */
  #firstFrame = true;
  /** The first bytes received, kept until a frame completes (`describeReceived`). */
  #firstBytes: Uint8Array | undefined;
  /** Frames decoded while the peer's input is paused (backpressure), delivered on resume. */
  #paused: Uint8Array[] | undefined;
  /** Set once the peer's input proved unusable; later bytes are discarded. */
  #inputError: Error | undefined;

  /** Frames waiting to be written (next flush, or `drain` when blocked). */
  #queue: QueuedFrame[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  /** `write()` returned false: wait for `drain`. */
  #blocked = false;
  #ended = false;
  /** Inside a `data` event: frames sent now are written at its end, no microtask needed. */
  #delivering = false;

  constructor(duplex: DuplexLike, options: StreamTransportOptions) {
    this.#duplex = duplex;
    this.#decoder = new FrameDecoder(resolveLimits(options.limits));
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.#highWaterBytes = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    this.#frameTimeoutMs = options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_MS;
    // Listeners are bound once per transport, never per frame.
    duplex.on("data", this.#onData);
    duplex.on("drain", this.#onDrain);
    duplex.on("end", this.#onEnd);
    duplex.on("error", this.#onError);
    duplex.on("close", this.#onStreamClose);
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(handlers: TransportHandlers): void {
    if (this.#handlers) throw new Error("createStreamTransport: start() called twice");
    this.#handlers = handlers;
    const early = this.#early ?? [];
    this.#early = undefined;
    this.#deliver(early);
    if (this.#inputError !== undefined) this.#reportInputError(this.#inputError);
    if (this.#finished) handlers.onClose(this.#closeError);
  }

  send(frame: Uint8Array): void {
    this.#enqueue(frame);
  }

  /** One frame as consecutive pieces; large pieces are written without a copy. */
  sendSegments(segments: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const segment of segments) bytes += segment.byteLength;
    this.#enqueue(new SegmentedFrame(segments, bytes));
  }

  #enqueue(frame: QueuedFrame): void {
    if (this.#closed) return; // the connection learns of the close through onClose
    this.#queue.push(frame);
    this.#queuedBytes += frame.byteLength + FRAME_HEADER_BYTES;
    if (this.#owedBytes() > this.#maxQueuedBytes) {
      this.#fail(
        new TransportError(
          "RPYC_ERR_SEND_QUEUE_FULL",
          `send queue over ${this.#maxQueuedBytes} bytes: the peer is not reading its data ` +
            "(raise maxQueuedBytes if it is only slow)",
        ),
      );
      return;
    }
    if (this.#blocked) return;
    if (!this.#flushScheduled && !this.#delivering) {
      this.#flushScheduled = true;
      void RESOLVED.then(this.#flush);
    }
  }

  flush(): void {
    if (!this.#blocked && !this.#closed) this.#writeQueue();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writeQueue(); // best effort: the stream buffers what it cannot send yet
    this.#endStream();
  }

  /** Writes everything queued: small frames coalesced into one buffer, large ones as-is. */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#blocked || this.#closed) return;
    this.#writeQueue();
  };

  #writeQueue(): void {
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    const duplex = this.#duplex;
    let ok: boolean;
    const first = queue[0]!;
    if (queue.length === 1 && first instanceof Uint8Array && first.byteLength < LARGE_FRAME_BYTES) {
      ok = duplex.write(packFrame(first));
    } else {
      duplex.cork?.();
      ok = writeBatched(duplex, queue);
      duplex.uncork?.();
    }
    if (!ok) this.#blocked = true;
  }

  /** Bytes written or queued and not yet handed to the OS. */
  #owedBytes(): number {
    return this.#queuedBytes + (this.#duplex.writableLength ?? 0);
  }

  readonly #onDrain = (): void => {
    if (this.#blocked) {
      this.#blocked = false;
      if (!this.#closed) this.#writeQueue();
    }
    this.#resumeInput();
  };

  describeReceived(): string | undefined {
    const bytes = this.#firstBytes;
    if (!this.#firstFrame) return undefined;
    if (bytes === undefined) {
      return "nothing arrived (a Python RPyC server waits for its client to speak: use @rpyc/python)";
    }
    return `what arrived instead: ${this.#decoder.bufferedBytes} bytes, no whole frame: ${previewBytes(bytes)}`;
  }

  readonly #onData = (chunk: Uint8Array): void => {
    if (this.#finished || this.#inputError !== undefined) return;
    if (this.#firstFrame && this.#firstBytes === undefined) this.#firstBytes = chunk.slice(0, 64);
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      // Frames completed before the bad prefix in this chunk are valid: deliver them first.
      const completed = (error as { frames?: unknown }).frames;
      if (Array.isArray(completed) && completed.length > 0) {
        this.#firstFrame = false;
        this.#deliverNow(completed as Uint8Array[]);
      }
      const foreign = this.#firstFrame ? notRpycError(chunk, error) : undefined;
      this.#onBadInput(foreign ?? (error as Error));
      return;
    }
    if (frames.length > 0) this.#firstFrame = false;
    this.#watchPartialFrame();
    this.#deliverNow(frames);
  };

  /** Delivers `frames`, then writes the replies of synchronous handlers at once. */
  #deliverNow(frames: Uint8Array[]): void {
    this.#delivering = true;
    try {
      this.#deliver(frames);
    } finally {
      this.#delivering = false;
      // Replies of synchronous handlers leave now, not a microtask later.
      if (!this.#blocked && !this.#closed) this.#writeQueue();
      // Paused, yet the stream took everything: no `drain` will come, so resume from here.
      if (this.#paused !== undefined && !this.#blocked) void RESOLVED.then(this.#onDrain);
    }
  }

  /** Hands `frames` to the connection in order, stopping while the peer owes us too much. */
  #deliver(frames: Uint8Array[]): void {
    const handlers = this.#handlers;
    if (!handlers) {
      this.#early!.push(...frames);
      return;
    }
    if (this.#paused !== undefined) {
      this.#paused.push(...frames);
      return;
    }
    for (let i = 0; i < frames.length; i++) {
      if (this.#owedBytes() > this.#highWaterBytes && !this.#closed) {
        this.#paused = frames.slice(i);
        this.#duplex.pause?.();
        return;
      }
      handlers.onFrame(frames[i]!);
    }
  }

  /** Backpressure is over when what we owe went below the mark: deliver what waited, read on. */
  #resumeInput(): void {
    const paused = this.#paused;
    if (paused === undefined || this.#closed) return;
    if (this.#owedBytes() > this.#highWaterBytes) return;
    this.#paused = undefined;
    this.#deliverNow(paused);
    if (this.#paused === undefined) this.#duplex.resume?.();
  }

  /** Arms (or re-arms) the stall timer while a frame is partly received; disarms it otherwise. */
  #watchPartialFrame(): void {
    if (this.#frameTimeoutMs <= 0) return;
    if (this.#decoder.bufferedBytes === 0) {
      if (this.#frameTimer !== undefined) clearTimeout(this.#frameTimer);
      this.#frameTimer = undefined;
    } else if (this.#frameTimer !== undefined) {
      this.#frameTimer.refresh?.();
    } else {
      this.#frameTimer = setTimeout(this.#onFrameStalled, this.#frameTimeoutMs);
    }
  }

  readonly #onFrameStalled = (): void => {
    this.#frameTimer = undefined;
    this.#onBadInput(
      new TransportError(
        "RPYC_ERR_FRAME_TIMEOUT",
        `a frame stalled: ${this.#decoder.bufferedBytes} bytes of it arrived, then nothing for ` +
          `${this.#frameTimeoutMs} ms (frameTimeoutMs)`,
      ),
    );
  };

  /** The peer's input is unusable: no more reading; the connection answers with a coded Close. */
  #onBadInput(error: Error): void {
    if (this.#inputError !== undefined) return;
    this.#inputError = error;
    this.#closeError ??= error;
    if (this.#frameTimer !== undefined) clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
    this.#paused = undefined;
    this.#duplex.resume?.(); // discard what follows, so that the peer's FIN is seen
    if (this.#handlers) this.#reportInputError(error);
  }

  #reportInputError(error: Error): void {
    const handlers = this.#handlers!;
    if (handlers.onInputError) {
      handlers.onInputError(error);
      this.close(); // in case the handler did not: flush what it sent, then end
    } else {
      this.#fail(error);
    }
  }

  readonly #onEnd = (): void => {
    // The peer finished writing. A frame cut off by the end is an error worth reporting.
    if (this.#decoder.bufferedBytes > 0 && !this.#closeError) {
      this.#closeError = new TransportError(
        "RPYC_ERR_TRUNCATED_FRAME",
        `the peer ended the stream in the middle of a frame (${this.#decoder.bufferedBytes} bytes received)`,
      );
    }
    this.#closed = true;
    if (this.#frameTimer !== undefined) clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
    this.#endStream();
  };

  readonly #onError = (error: Error): void => {
    this.#closeError ??= new TransportError(
      "RPYC_ERR_TRANSPORT",
      `stream error: ${error.message}`,
      { cause: error },
    );
    this.#closed = true;
    // Node streams destroy themselves on error; a duck-typed one may not. `close` follows.
    this.#duplex.destroy();
  };

  readonly #onStreamClose = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#paused = undefined;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    if (this.#frameTimer !== undefined) clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
    this.#handlers?.onClose(this.#closeError);
  };

  /** Fails the transport: drops the queue and destroys the stream; `onClose(error)` follows. */
  #fail(error: Error): void {
    this.#closeError ??= error;
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#duplex.destroy();
  }

  /** Ends our side once; destroys the stream if the peer has not closed within the timeout. */
  #endStream(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#duplex.end();
    if (!this.#finished) {
      this.#closeTimer = setTimeout(() => {
        this.#closeTimer = undefined;
        this.#duplex.destroy();
      }, this.#closeTimeoutMs);
    }
  }
}

/**
 * A frame given as consecutive pieces (`sendSegments`): small pieces are copied like small
 * frames, large ones (≥ LARGE_FRAME_BYTES) are written as they are.
 */
class SegmentedFrame {
  constructor(
    readonly segments: readonly Uint8Array[],
    readonly byteLength: number,
  ) {}
}

type QueuedFrame = Uint8Array | SegmentedFrame;

/**
 * Writes `queue` with as few writes as possible: headers and small pieces are packed into one
 * buffer; each large piece (a large frame's payload, a large segment) is written as it is,
 * after the packed bytes before it. Returns the last `write()` result.
 */
function writeBatched(duplex: DuplexLike, queue: readonly QueuedFrame[]): boolean {
  let ok = true;
  // Pieces waiting to be packed: a number is a frame header announcing that length.
  let pieces: (Uint8Array | number)[] = [];
  let pieceBytes = 0;
  const add = (piece: Uint8Array): void => {
    if (piece.byteLength < LARGE_FRAME_BYTES) {
      pieces.push(piece);
      pieceBytes += piece.byteLength;
      return;
    }
    if (pieces.length > 0) ok = duplex.write(packPieces(pieces, pieceBytes));
    pieces = [];
    pieceBytes = 0;
    ok = duplex.write(piece);
  };
  for (const frame of queue) {
    pieces.push(frame.byteLength);
    pieceBytes += FRAME_HEADER_BYTES;
    if (frame instanceof SegmentedFrame) {
      for (const segment of frame.segments) add(segment);
    } else {
      add(frame);
    }
  }
  if (pieces.length > 0) ok = duplex.write(packPieces(pieces, pieceBytes));
  return ok;
}

/** Copies `pieces` (bytes, or a header for a frame of that length) into one buffer of `size`. */
function packPieces(pieces: readonly (Uint8Array | number)[], size: number): Uint8Array {
  const out = allocBytes(size);
  let offset = 0;
  for (const piece of pieces) {
    if (typeof piece === "number") {
      offset = writeFrameHeader(out, offset, piece);
    } else {
      out.set(piece, offset);
      offset += piece.byteLength;
    }
  }
  return out;
}

/** One small frame with its header, in a buffer of its own (the common single-frame flush). */
function packFrame(frame: Uint8Array): Uint8Array {
  const out = allocBytes(frame.byteLength + FRAME_HEADER_BYTES);
  out.set(frame, writeFrameHeader(out, 0, frame.byteLength));
  return out;
}
