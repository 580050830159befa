/**
 * A `Transport` over a `MessagePort`, a `Worker`, or a worker's own global scope: a page and its
 * worker (or two windows, or two ends of a `MessageChannel`) as rpyc-ts peers, the job Comlink
 * does. No Node import: it runs in browsers, workers and Node (whose `MessageChannel` and
 * `worker_threads` ports have the same API).
 *
 * Messages: one frame is one `postMessage` of a `Uint8Array` (copied into a buffer of its own
 * and transferred, so a frame that is a view into a larger buffer never clones the rest), in
 * order. The string `CLOSE_MESSAGE` says goodbye: a port has no close event of its own, so
 * `close()` posts it and the peer's transport closes on receipt. A worker that is terminated, or
 * a page that goes away, sends nothing: its peer notices only through call timeouts.
 *
 * Limits: a received frame over `maxFrameBytes` (default 64 MiB, the protocol's) is refused
 * with `RPYC_ERR_FRAME_TOO_LARGE`, anything that is not a frame or the goodbye with
 * `RPYC_ERR_PROTOCOL`. `postMessage` has no backpressure signal, so sending is bounded only by
 * what the peer accepts per frame.
 */
import { DEFAULT_LIMITS, FrameTooLargeError, ProtocolError } from "@rpyc/protocol";
import { connectTransport } from "./connect.ts";
import type { Connection } from "./connection.ts";
import type { ConnectOptions } from "./connection-types.ts";
import type { Transport, TransportHandlers } from "./transport.ts";

/** The goodbye message: a string, so it can never be mistaken for a frame. */
export const CLOSE_MESSAGE = "rpyc-ts:close";

/**
 * What the transport needs of a port: a `MessagePort`, a `Worker`, a worker's `self`, a
 * `BroadcastChannel`-free window's `MessagePort`, or Node's `worker_threads` ports.
 *
 * @example
 * const port: PortLike = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
 */
export interface PortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  addEventListener(type: "messageerror", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "messageerror", listener: (event: MessageEvent) => void): void;
  /** MessagePort only: starts delivery to `addEventListener` listeners. */
  start?(): void;
  /** MessagePort only: disentangles the port. */
  close?(): void;
}

/** Limits of a port transport. */
export interface MessagePortTransportOptions {
  /** Largest frame accepted, in bytes. Default 64 MiB (`DEFAULT_LIMITS.maxFrameBytes`). */
  readonly maxFrameBytes?: number;
}

/**
 * Wraps `port` as a `Transport`; it listens at once, so frames that arrive before the
 * connection starts are kept. The transport owns the port from now on (it closes it).
 *
 * @example
 * const { port1, port2 } = new MessageChannel();
 * const conn = await connectTransport(createMessagePortTransport(port1));
 */
export function createMessagePortTransport(
  port: PortLike,
  options: MessagePortTransportOptions = {},
): Transport {
  return new MessagePortTransport(port, options.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes);
}

/**
 * Connects over a port: `connectPort(worker)` in the page and `connectPort(self)` in the
 * worker, or the two ends of a `MessageChannel`. Both ends run the same code (rpyc-ts is
 * symmetric); each serves its own `options.service`.
 *
 * @example
 * // worker.ts
 * await connectPort(self as unknown as PortLike, { service: MathService });
 * // page.ts
 * const conn = await connectPort(new Worker("./worker.js", { type: "module" }));
 * console.log(await conn.root.add(2, 3));
 */
export function connectPort<TRoot = any>(
  port: PortLike,
  options: ConnectOptions & MessagePortTransportOptions = {},
): Promise<Connection<TRoot>> {
  const { maxFrameBytes, ...connectOptions } = options;
  return connectTransport<TRoot>(
    createMessagePortTransport(port, { maxFrameBytes }),
    connectOptions,
  );
}

class MessagePortTransport implements Transport {
  readonly #port: PortLike;
  readonly #maxFrameBytes: number;
  #handlers: TransportHandlers | undefined;
  #early: Uint8Array[] = [];
  #closed = false;
  #finished = false;
  /** False after unusable input: nothing more is read (the connection closes soon). */
  #reading = true;
  #error: Error | undefined;

  constructor(port: PortLike, maxFrameBytes: number) {
    this.#port = port;
    this.#maxFrameBytes = maxFrameBytes;
    port.addEventListener("message", this.#onMessage);
    port.addEventListener("messageerror", this.#onMessageError);
    port.start?.();
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(handlers: TransportHandlers): void {
    if (this.#handlers) throw new Error("createMessagePortTransport: start() called twice");
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const frame of early) handlers.onFrame(frame);
    if (this.#finished) handlers.onClose(this.#error);
  }

  send(frame: Uint8Array): void {
    if (this.#closed) return;
    const own = frame.slice();
    this.#port.postMessage(own, [own.buffer]);
  }

  close(): void {
    if (this.#closed) return;
    this.#port.postMessage(CLOSE_MESSAGE, []);
    this.#finish(undefined);
  }

  readonly #onMessage = (event: MessageEvent): void => {
    if (this.#closed || !this.#reading) return;
    const data: unknown = event.data;
    if (data === CLOSE_MESSAGE) {
      this.#finish(undefined);
    } else if (!(data instanceof Uint8Array)) {
      this.#inputError(
        new ProtocolError("RPYC_ERR_PROTOCOL", "a port message that is not an rpyc-ts frame"),
      );
    } else if (data.byteLength > this.#maxFrameBytes) {
      this.#inputError(new FrameTooLargeError(data.byteLength, this.#maxFrameBytes));
    } else if (this.#handlers) {
      this.#handlers.onFrame(data);
    } else {
      this.#early.push(data);
    }
  };

  readonly #onMessageError = (): void => {
    this.#inputError(new ProtocolError("RPYC_ERR_PROTOCOL", "a port message could not be read"));
  };

  /** The peer's input is unusable: let the connection say why, or fail at once. */
  #inputError(error: Error): void {
    this.#reading = false;
    if (this.#handlers?.onInputError) this.#handlers.onInputError(error);
    else this.#finish(error);
  }

  #finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#closed = true;
    this.#finished = true;
    this.#error = error;
    this.#port.removeEventListener("message", this.#onMessage);
    this.#port.removeEventListener("messageerror", this.#onMessageError);
    this.#port.close?.();
    this.#handlers?.onClose(error);
  }
}
