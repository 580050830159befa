/**
 * A `Transport` over an open WebSocket: the browser's native `WebSocket`, Node 22's global one,
 * or the `ws` package's. No Node import: this file is part of the browser entry.
 *
 * Messages (docs/protocol.md, "Message transports"): a binary WebSocket message is either one
 * frame as it is (an encoded message always starts with a CBOR array header, 0x80–0x9b), or a
 * **batch**: the byte 0x00, then `[4-byte big-endian length][frame]` repeated. Frames sent in
 * the same tick leave together as one batch (one WebSocket message instead of one each), once
 * the peer's `maxFrameBytes` is known (`setPeerLimits`, after the Hello): a batch never exceeds
 * it, nor `MAX_BATCH_BYTES`. A frame too large to share a batch goes alone, as it is.
 */
import { ProtocolError, TransportError, type Transport, type TransportHandlers } from "@rpyc/core";
import { readFrameHeader, writeFrameHeader } from "@rpyc/protocol";

/**
 * The part of the WHATWG `WebSocket` API the transport uses. The browser's `WebSocket`, Node
 * 22's global `WebSocket` and `ws`'s `WebSocket` all satisfy it.
 *
 * @example
 * const socket: WebSocketLike = new WebSocket("ws://127.0.0.1:18861");
 */
export interface WebSocketLike {
  /** Set to "arraybuffer" by the transport when it is "blob" (ws's "nodebuffer" is kept). */
  binaryType: string;
  /** Bytes accepted by `send()` and not yet written: the transport's backpressure measure. */
  readonly bufferedAmount: number;
  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { readonly code: number; readonly reason: string }) => void,
  ): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
  /** `ws` only: drops the connection without a closing handshake. */
  terminate?(): void;
}

/**
 * Limits of a WebSocket transport.
 *
 * @example
 * createWebSocketTransport(socket, { maxFrameBytes: 1 << 20, maxBufferedBytes: 8 << 20 });
 */
export interface WebSocketTransportOptions {
  /**
   * Largest message accepted, in bytes. Default `DEFAULT_MAX_FRAME_BYTES` (64 MiB, like
   * `@rpyc/protocol`'s `DEFAULT_LIMITS.maxFrameBytes`). A `ws` socket should also be opened with
   * `maxPayload` set to it, so an oversize message is refused before it is buffered.
   */
  readonly maxFrameBytes?: number;
  /**
   * `bufferedAmount` bound: a send that would exceed it fails the transport with
   * `RPYC_ERR_SEND_QUEUE_FULL`. Default `DEFAULT_MAX_BUFFERED_BYTES` (128 MiB).
   */
  readonly maxBufferedBytes?: number;
  /** After `close()`, how long to wait for the closing handshake before dropping the socket
   * (`ws` only). Default 3000 ms. */
  readonly closeTimeoutMs?: number;
}

/**
 * Default bound of a WebSocket's `bufferedAmount` before sends fail: 128 MiB.
 *
 * @example
 * await connect(url, { maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES / 4 });
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 128 * 1024 * 1024;
/**
 * Default largest message accepted: 64 MiB (the protocol's default `maxFrameBytes`).
 *
 * @example
 * await connect(url, { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES / 64 });
 */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Largest batch message sent (bytes): frames queued in one tick are packed up to this size.
 *
 * @example
 * // ten 100-byte frames sent in one tick travel as one 1,041-byte WebSocket message
 */
export const MAX_BATCH_BYTES = 64 * 1024;
/** First byte of a batch message (never the first byte of an encoded message). */
const BATCH_MARK = 0x00;
const LENGTH_BYTES = 4;

// Microtasks through a resolved promise (Node's queueMicrotask allocates an AsyncResource).
const RESOLVED = Promise.resolve();

/** WebSocket close codes used here (RFC 6455 §7.4.1). */
const CLOSE_NORMAL = 1000;
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_MESSAGE_TOO_BIG = 1009;
const OPEN = 1;

/**
 * Wraps an open WebSocket as a `Transport`. The transport owns the socket from now on.
 *
 * @example
 * const socket = new WebSocket("ws://127.0.0.1:18861");
 * await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
 * const conn = await connectTransport(createWebSocketTransport(socket), { service: new VoidService() });
 */
export function createWebSocketTransport(
  socket: WebSocketLike,
  options: WebSocketTransportOptions = {},
): Transport {
  return new WebSocketTransport(socket, options);
}

class WebSocketTransport implements Transport {
  #closed = false;
  #finished = false;
  #closeError: Error | undefined;
  #handlers: TransportHandlers | undefined;
  #early: Uint8Array[] | undefined = [];
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #socket: WebSocketLike;
  readonly #maxFrameBytes: number;
  readonly #maxBufferedBytes: number;
  readonly #closeTimeoutMs: number;
  /** Frames sent this tick, written by the next flush (one batch when they fit). */
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  /** Inside a message event: frames sent now are written at its end. */
  #delivering = false;
  /** Largest batch the peer accepts; 0 until its limits are known (no batching before). */
  #batchLimit = 0;

  constructor(socket: WebSocketLike, options: WebSocketTransportOptions) {
    this.#socket = socket;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 3000;
    if (socket.binaryType === "blob") socket.binaryType = "arraybuffer";
    socket.addEventListener("message", this.#onMessage);
    socket.addEventListener("close", this.#onSocketClose);
    socket.addEventListener("error", this.#onError);
    if (socket.readyState !== OPEN) this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(handlers: TransportHandlers): void {
    if (this.#handlers) throw new Error("createWebSocketTransport: start() called twice");
    this.#handlers = handlers;
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const frame of early) handlers.onFrame(frame);
    if (this.#finished) handlers.onClose(this.#closeError);
  }

  setPeerLimits(limits: { readonly maxFrameBytes: number }): void {
    this.#batchLimit = Math.min(MAX_BATCH_BYTES, limits.maxFrameBytes);
  }

  send(frame: Uint8Array): void {
    if (this.#closed) return;
    if (
      this.#socket.bufferedAmount + this.#queuedBytes + frame.byteLength >
      this.#maxBufferedBytes
    ) {
      this.#fail(
        new TransportError(
          "RPYC_ERR_SEND_QUEUE_FULL",
          `WebSocket send buffer over ${this.#maxBufferedBytes} bytes: the peer is not reading ` +
            "(raise maxBufferedBytes if it is only slow)",
        ),
        CLOSE_NORMAL,
      );
      // The peer is not reading, so it would not answer a closing handshake either.
      this.#socket.terminate?.();
      return;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.byteLength;
    if (!this.#flushScheduled && !this.#delivering) {
      this.#flushScheduled = true;
      void RESOLVED.then(this.#scheduledFlush);
    }
  }

  flush(): void {
    if (!this.#closed) this.#sendQueued();
  }

  close(): void {
    if (this.#closed) return;
    this.#sendQueued(); // best effort: what was sent before close() still leaves
    this.#closed = true;
    this.#closeSocket(CLOSE_NORMAL, "");
  }

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    if (!this.#closed) this.#sendQueued();
  };

  /** Sends the queue: runs of frames that fit `#batchLimit` as batches, the others alone. */
  #sendQueued(): void {
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    const socket = this.#socket;
    const limit = this.#batchLimit;
    if (queue.length === 1 || limit === 0) {
      for (const frame of queue) socket.send(frame);
      return;
    }
    let run: Uint8Array[] = [];
    let runBytes = 1; // the mark
    for (const frame of queue) {
      const size = LENGTH_BYTES + frame.byteLength;
      if (1 + size > limit) {
        sendRun(socket, run, runBytes);
        run = [];
        runBytes = 1;
        socket.send(frame);
        continue;
      }
      if (runBytes + size > limit) {
        sendRun(socket, run, runBytes);
        run = [];
        runBytes = 1;
      }
      run.push(frame);
      runBytes += size;
    }
    sendRun(socket, run, runBytes);
  }

  readonly #onMessage = (event: { readonly data: unknown }): void => {
    if (this.#closed) return;
    const data = event.data;
    let frame: Uint8Array;
    if (data instanceof Uint8Array)
      frame = data; // ws: Buffer
    else if (data instanceof ArrayBuffer) frame = new Uint8Array(data);
    else {
      this.#fail(
        new ProtocolError(
          "RPYC_ERR_TEXT_FRAME",
          "received a text WebSocket message: rpyc-ts sends binary messages only (is the peer an rpyc-ts endpoint?)",
        ),
        CLOSE_UNSUPPORTED_DATA,
      );
      return;
    }
    if (frame.byteLength > this.#maxFrameBytes) {
      this.#fail(frameTooLarge(this.#maxFrameBytes), CLOSE_MESSAGE_TOO_BIG);
      return;
    }
    this.#delivering = true;
    try {
      if (frame.byteLength > 0 && frame[0] === BATCH_MARK) this.#deliverBatch(frame);
      else this.#deliver(frame);
    } finally {
      this.#delivering = false;
      // Replies of synchronous handlers leave now, together, not a microtask later.
      if (!this.#closed) this.#sendQueued();
    }
  };

  #deliver(frame: Uint8Array): void {
    if (this.#handlers) this.#handlers.onFrame(frame);
    else this.#early!.push(frame);
  }

  /** Unpacks a batch message; a malformed one fails the transport (RPYC_ERR_MALFORMED). */
  #deliverBatch(batch: Uint8Array): void {
    const end = batch.byteLength;
    let at = 1;
    while (at < end && !this.#closed) {
      if (end - at < LENGTH_BYTES) return this.#badBatch("a frame length is cut off");
      const length = readFrameHeader(batch, at);
      at += LENGTH_BYTES;
      if (length === 0 || length > end - at) {
        return this.#badBatch(`a frame of ${length} bytes does not fit the message`);
      }
      this.#deliver(batch.subarray(at, at + length));
      at += length;
    }
    if (end === 1) this.#badBatch("it is empty");
  }

  #badBatch(why: string): void {
    this.#fail(
      new ProtocolError("RPYC_ERR_MALFORMED", `malformed batch message: ${why}`),
      CLOSE_PROTOCOL_ERROR,
    );
  }

  readonly #onError = (event: unknown): void => {
    const cause = (event as { error?: unknown }).error;
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    if (cause instanceof Error && /max payload/i.test(cause.message)) {
      this.#closeError ??= frameTooLarge(this.#maxFrameBytes);
    }
    this.#closeError ??= new TransportError("RPYC_ERR_TRANSPORT", `WebSocket error${detail}`, {
      cause,
    });
    this.#closed = true;
  };

  readonly #onSocketClose = (event: { readonly code: number; readonly reason: string }): void => {
    if (this.#finished) return;
    this.#finished = true;
    this.#closed = true;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    if (!this.#closeError && event.code === CLOSE_MESSAGE_TOO_BIG) {
      this.#closeError = frameTooLarge(
        this.#maxFrameBytes,
        "the peer refused a message as too large",
      );
    } else if (!this.#closeError && event.code === CLOSE_UNSUPPORTED_DATA) {
      this.#closeError = new ProtocolError(
        "RPYC_ERR_TEXT_FRAME",
        `the peer closed the WebSocket: unsupported data (${event.reason || "text message"})`,
      );
    }
    this.#handlers?.onClose(this.#closeError);
  };

  #fail(error: Error, code: number): void {
    this.#closeError ??= error;
    this.#closed = true;
    this.#closeSocket(code, error.message.slice(0, 120));
  }

  #closeSocket(code: number, reason: string): void {
    const socket = this.#socket;
    try {
      socket.close(code, reason);
    } catch {
      // Already closing or closed: the close event follows anyway.
    }
    if (socket.terminate && !this.#finished && this.#closeTimer === undefined) {
      this.#closeTimer = setTimeout(() => {
        this.#closeTimer = undefined;
        socket.terminate?.();
      }, this.#closeTimeoutMs);
    }
  }
}

/** Sends `run` (frames totalling `bytes - 1` plus their lengths) as one batch, or as is. */
function sendRun(socket: WebSocketLike, run: readonly Uint8Array[], bytes: number): void {
  if (run.length === 0) return;
  if (run.length === 1) return socket.send(run[0]!);
  const out = new Uint8Array(bytes);
  out[0] = BATCH_MARK;
  let at = 1;
  for (const frame of run) {
    at = writeFrameHeader(out, at, frame.byteLength);
    out.set(frame, at);
    at += frame.byteLength;
  }
  socket.send(out);
}

function frameTooLarge(max: number, what = "received a message"): ProtocolError {
  return new ProtocolError(
    "RPYC_ERR_FRAME_TOO_LARGE",
    `${what} over maxFrameBytes (${max} bytes); raise limits.maxFrameBytes on both sides to allow it`,
  );
}
