/**
 * A `Transport` over an open WebSocket: the browser's native `WebSocket`, Node 22's global one,
 * or the `ws` package's. One frame is one binary message (no length prefix). No Node import:
 * this file is part of the browser entry.
 */
import { ProtocolError, TransportError, type Transport, type TransportHandlers } from "@rpyc/core";

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

/** WebSocket close codes used here (RFC 6455 §7.4.1). */
const CLOSE_NORMAL = 1000;
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

  send(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#socket.bufferedAmount + frame.byteLength > this.#maxBufferedBytes) {
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
    this.#socket.send(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeSocket(CLOSE_NORMAL, "");
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
    if (this.#handlers) this.#handlers.onFrame(frame);
    else this.#early!.push(frame);
  };

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

function frameTooLarge(max: number, what = "received a message"): ProtocolError {
  return new ProtocolError(
    "RPYC_ERR_FRAME_TOO_LARGE",
    `${what} over maxFrameBytes (${max} bytes); raise limits.maxFrameBytes on both sides to allow it`,
  );
}
