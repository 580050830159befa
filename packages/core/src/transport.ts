/**
 * The contract between a connection and whatever moves its bytes. A transport moves whole
 * frames: one frame is one encoded message (`@rpyc/protocol`'s `encodeMessage`). Message
 * transports (WebSocket, MessagePort, the in-memory pair) map one frame to one native message;
 * byte-stream transports add a length prefix (see `connectStream`).
 *
 * Ownership: a frame passed to `send` belongs to the transport from then on (the caller must not
 * mutate it); a frame passed to `onFrame` belongs to the connection.
 */
export interface Transport {
  /**
   * Queues one frame for the peer. Frames arrive in the order they were sent. Never throws for
   * backpressure: a transport buffers up to its documented limit, then fails the transport with
   * a coded error (delivered through `TransportHandlers.onClose`).
   */
  send(frame: Uint8Array): void;
  /**
   * Optional: queues one frame given as consecutive pieces (their concatenation is the frame),
   * so a large byte string inside a message is written without being copied into the encoded
   * frame first. Same ordering and ownership rules as `send`. Without it the connection sends
   * the frame whole.
   */
  sendSegments?(segments: readonly Uint8Array[]): void;
  /**
   * Optional: the peer's announced limits, given by the connection once its Hello arrived. A
   * message transport that packs several frames into one native message (WebSocket batches)
   * must keep each such message within `maxFrameBytes`, the most the peer accepts at once.
   */
  setPeerLimits?(limits: { readonly maxFrameBytes: number }): void;
  /**
   * Optional: write what `send` queued now, instead of at the transport's own next flush. The
   * connection calls it once it has sent everything one stretch of work produced (a batch of
   * requests), so the bytes leave one scheduling hop earlier. A hint only: a transport without
   * it, or one that cannot write now (backpressure), flushes on its own as before.
   */
  flush?(): void;
  /**
   * Starts delivery. Called exactly once, by the connection, before any `send`. Frames that
   * arrived earlier are delivered in order.
   */
  start(handlers: TransportHandlers): void;
  /**
   * Closes the transport. Idempotent. Queued frames are flushed when the medium allows it
   * (best effort); `onClose` is called once, afterwards.
   */
  close(): void;
  /**
   * Optional: while no whole frame has arrived, what did (a preview of the bytes, or that
   * nothing did), for the handshake's error message.
   */
  describeReceived?(): string | undefined;
  /** True once `close()` was called or the medium went away. */
  readonly closed: boolean;
}

export interface TransportHandlers {
  /** One frame from the peer. */
  onFrame(frame: Uint8Array): void;
  /**
   * The transport is gone (closed locally, closed by the peer, or failed). Called exactly once.
   * `error` is set when it failed (a socket error, an oversize frame, a full send queue).
   */
  onClose(error?: Error): void;
  /**
   * Optional: the peer's input is unusable (an oversize or stalled frame, another protocol's
   * bytes). The connection answers with a `Close` carrying the error's code (the transport
   * still writes what is queued), then closes; the transport stops reading. Without this
   * handler the transport fails at once and `onClose(error)` follows.
   */
  onInputError?(error: Error): void;
}
