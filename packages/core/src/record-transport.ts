/**
 * `recordTransport(transport)`: starts a transport under test and records what it delivers —
 * every frame, how many times `onClose` ran and with what error. For transport authors' tests
 * (exported from `@rpyc/core/testing`).
 */
import type { Transport } from "./transport.ts";

/** What a started transport delivered so far. */
export interface TransportRecording {
  /** Frames received, in order. */
  readonly frames: Uint8Array[];
  /** Resolves at the first `onClose`. */
  readonly closed: Promise<void>;
  /** Times `onClose` ran (a transport must call it exactly once). */
  readonly closes: number;
  /** The error of the last `onClose`, if any. */
  readonly error: Error | undefined;
}

/**
 * Starts `transport` with handlers that record its frames and its close.
 *
 * @example
 * const got = recordTransport(createStreamTransport(socket));
 * await vi.waitFor(() => expect(got.frames).toHaveLength(1));
 */
export function recordTransport(transport: Transport): TransportRecording {
  const frames: Uint8Array[] = [];
  let closes = 0;
  let error: Error | undefined;
  const closed = new Promise<void>((resolve) => {
    transport.start({
      onFrame: (frame) => frames.push(frame),
      onClose: (e) => {
        closes++;
        error = e;
        resolve();
      },
    });
  });
  return {
    frames,
    closed,
    get closes() {
      return closes;
    },
    get error() {
      return error;
    },
  };
}
