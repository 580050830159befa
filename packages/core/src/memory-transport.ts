/**
 * An in-memory transport pair: two `Transport`s wired to each other, for tests and for
 * connecting two services in one process. Frames are delivered asynchronously (a microtask
 * after `send`), in order, without copying.
 *
 * Test controls (the idea of capnweb's TestTransport, credited): `hold()` stops delivery of what
 * this end sends, `deliver(n)` lets n held frames through, `resume()` lets everything through;
 * `inject(frame)` delivers raw bytes to the peer as if this end had sent them (hostile input);
 * `fail(error)` breaks the medium. `sentFrames`/`sentBytes` count what was sent.
 */
import { TransportError } from "./errors.ts";
import type { Transport, TransportHandlers } from "./transport.ts";

// Microtasks through a resolved promise (Node's queueMicrotask allocates an AsyncResource).
const RESOLVED = Promise.resolve();

/** One end of a memory pair, with the test controls. */
export interface MemoryTransport extends Transport {
  /** Stop delivering this end's frames to the peer (they queue until `deliver`/`resume`). */
  hold(): void;
  /** Deliver the first `count` held frames (default: all), keep holding the rest. */
  deliver(count?: number): void;
  /** Deliver every held frame and stop holding. */
  resume(): void;
  /** Frames held right now. */
  readonly held: number;
  /** Deliver `frame` (raw bytes) to the peer as if this end had sent it. */
  inject(frame: Uint8Array): void;
  /** Break the medium: both ends close, this end's `onClose` gets `error`. */
  fail(error?: Error): void;
  /** Frames and bytes sent by this end (injected ones included). */
  readonly sentFrames: number;
  readonly sentBytes: number;
}

class MemoryEnd implements MemoryTransport {
  peer!: MemoryEnd;
  sentFrames = 0;
  sentBytes = 0;
  #handlers: TransportHandlers | undefined;
  #inbox: Uint8Array[] = [];
  #heldFrames: Uint8Array[] = [];
  #holding = false;
  #closed = false;
  #peerGone = false;
  #closeNotified = false;
  #closeError: Error | undefined;
  #scheduled = false;

  get closed(): boolean {
    return this.#closed;
  }

  get held(): number {
    return this.#heldFrames.length;
  }

  start(handlers: TransportHandlers): void {
    if (this.#handlers !== undefined) throw new Error("MemoryTransport.start() called twice");
    this.#handlers = handlers;
    this.#schedule();
  }

  send(frame: Uint8Array): void {
    if (this.#closed) return;
    this.sentFrames++;
    this.sentBytes += frame.byteLength;
    if (this.#holding) this.#heldFrames.push(frame);
    else this.peer.#receive(frame);
  }

  inject(frame: Uint8Array): void {
    this.send(frame);
  }

  hold(): void {
    this.#holding = true;
  }

  deliver(count = this.#heldFrames.length): void {
    const frames = this.#heldFrames.splice(0, count);
    for (const frame of frames) this.peer.#receive(frame);
  }

  resume(): void {
    this.#holding = false;
    this.deliver();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#heldFrames = [];
    this.peer.#onPeerGone(undefined);
    this.#peerGone = true;
    this.#schedule();
  }

  fail(
    error: Error = new TransportError("RPYC_ERR_TRANSPORT", "the in-memory transport failed"),
  ): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#inbox = [];
    this.#heldFrames = [];
    this.peer.#onPeerGone(
      new TransportError("RPYC_ERR_TRANSPORT", "the peer's in-memory transport failed", {
        cause: error,
      }),
    );
    this.#peerGone = true;
    this.#schedule();
  }

  #receive(frame: Uint8Array): void {
    if (this.#peerGone && this.#closed) return;
    this.#inbox.push(frame);
    this.#schedule();
  }

  #onPeerGone(error: Error | undefined): void {
    this.#peerGone = true;
    this.#closeError ??= error;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#handlers === undefined || this.#closeNotified) return;
    this.#scheduled = true;
    void RESOLVED.then(this.#drainNow);
  }

  readonly #drainNow = (): void => this.#drain();

  #drain(): void {
    this.#scheduled = false;
    const handlers = this.#handlers;
    if (handlers === undefined || this.#closeNotified) return;
    while (this.#inbox.length > 0 && !this.#closeNotified) {
      const frames = this.#inbox;
      this.#inbox = [];
      for (const frame of frames) {
        if (this.#closeNotified || (this.#closed && !this.#peerGone)) break;
        handlers.onFrame(frame);
      }
    }
    if (this.#peerGone && !this.#closeNotified) {
      this.#closed = true;
      this.#closeNotified = true;
      this.#inbox = [];
      handlers.onClose(this.#closeError);
    }
  }
}

/**
 * Two connected in-memory transports. Use them with `connectTransport` (or let `connectPair` do
 * it); the test controls are documented on `MemoryTransport`.
 *
 * @example
 * const [a, b] = createMemoryTransportPair();
 * const [client, server] = await Promise.all([
 *   connectTransport(a), connectTransport(b, { service: EchoService }),
 * ]);
 * a.hold(); const p = client.root.echo(1); await Promise.resolve(); a.resume(); await p;
 */
export function createMemoryTransportPair(): [MemoryTransport, MemoryTransport] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
