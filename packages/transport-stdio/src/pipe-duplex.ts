/**
 * Two one-way streams (a process's stdin and stdout, or a child's stdout and stdin) presented
 * as the one duplex `createStreamTransport` expects (core's `DuplexLike`).
 */
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import type { DuplexLike } from "@rpyc/core";

export interface PipeDuplexHooks {
  /** Called once by `end()`, after the writable side was ended. */
  onEnd?(): void;
  /** Called once by `destroy()`, after both streams were destroyed. */
  onDestroy?(): void;
}

/**
 * A `DuplexLike` reading `input` and writing `output`. It emits `close` when `finished()` is
 * called by the owner (e.g. when the child exited), or when `input` closes if `closeWithInput`.
 */
export class PipeDuplex extends EventEmitter implements DuplexLike {
  #ended = false;
  #destroyed = false;
  #closed = false;

  constructor(
    readonly input: Readable,
    readonly output: Writable,
    private readonly hooks: PipeDuplexHooks = {},
  ) {
    super();
    input.on("data", (chunk: Uint8Array) => this.emit("data", chunk));
    input.on("end", () => this.emit("end"));
    output.on("drain", () => this.emit("drain"));
    // EPIPE and friends: report once through the duplex, never as an unhandled stream error.
    const onError = (error: Error): void => {
      if (!this.#closed) this.emit("error", error);
    };
    input.on("error", onError);
    output.on("error", onError);
  }

  write(chunk: Uint8Array): boolean {
    if (this.#ended || this.#destroyed || this.output.destroyed) return true;
    return this.output.write(chunk);
  }

  /** What the output buffers (backpressure: the transport pauses the input past its mark). */
  get writableLength(): number {
    return this.output.writableLength;
  }

  pause(): void {
    this.input.pause();
  }

  resume(): void {
    this.input.resume();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.output.destroyed) this.output.end();
    this.hooks.onEnd?.();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.input.destroy();
    this.output.destroy();
    this.hooks.onDestroy?.();
  }

  /** Emits `close` once: the medium is gone. */
  finished(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit("close");
  }
}
