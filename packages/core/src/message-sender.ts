/**
 * Encoding a connection's messages and handing them to its transport: every message within the
 * limits the peer announced in its Hello (`sendLimits`; this side's own until then), and large byte strings (`OUT_OF_LINE_BYTES`
 * or more, as a call's argument or a reply's value) as frames in pieces when the transport can
 * take them (`Transport.sendSegments`), so they are never copied into the frame. Errors are
 * returned, never thrown: the caller turns them into a failed call or an error reply.
 */
import {
  type HelloMessage,
  type Limits,
  type Message,
  MessageKind,
  OUT_OF_LINE_BYTES,
  ProtocolError,
  encodeMessage,
  encodeMessageSegments,
  peerSendLimits,
} from "@rpyc/protocol";

type AnnouncedLimits = HelloMessage["limits"];
import { ConnectionClosedError } from "./errors.ts";
import type { Transport } from "./transport.ts";

export class MessageSender {
  #peerMaxFrame = Number.POSITIVE_INFINITY;
  #sendLimits: Limits;

  constructor(
    private transport: Transport,
    private readonly limits: Limits,
    /** Why the connection closed, for the error of a send after the transport closed. */
    private readonly closeCause: () => Error | undefined,
  ) {
    this.#sendLimits = limits;
  }

  /**
   * What every message sent must fit: the limits the peer announced (this side's own for any
   * it did not); batched messages are split to fit them (batch-size.ts of @rpyc/protocol).
   */
  get sendLimits(): Limits {
    return this.#sendLimits;
  }

  /** A reconnect replaced the transport: later messages go to `transport`. */
  setTransport(transport: Transport): void {
    this.transport = transport;
  }

  /** The peer's Hello arrived: its limits bound every later message, its `maxFrameBytes` every frame. */
  setPeerLimits(announced: AnnouncedLimits): void {
    this.#peerMaxFrame = announced.maxFrameBytes;
    this.#sendLimits = peerSendLimits(this.limits, announced);
    this.transport.setPeerLimits?.({ maxFrameBytes: announced.maxFrameBytes });
  }

  /** Encodes and sends; returns the error instead of throwing when the message cannot go. */
  send(message: Message): Error | undefined {
    const transport = this.transport;
    if (transport.sendSegments !== undefined && carriesLargeBytes(message))
      return this.#sendSegmented(message, transport);
    let frame: Uint8Array;
    try {
      frame = encodeMessage(message, this.#sendLimits);
    } catch (err) {
      return asError(err);
    }
    const error = this.#checkSendable(frame.byteLength);
    if (error !== undefined) return error;
    transport.send(frame);
    return undefined;
  }

  /** Like `send`, with the large byte strings left out of the encoded frame (no copy). */
  #sendSegmented(message: Message, transport: Transport): Error | undefined {
    let segments: Uint8Array[];
    try {
      segments = encodeMessageSegments(message, this.#sendLimits);
    } catch (err) {
      return asError(err);
    }
    let bytes = 0;
    for (const segment of segments) bytes += segment.byteLength;
    const error = this.#checkSendable(bytes);
    if (error !== undefined) return error;
    transport.sendSegments!(segments);
    return undefined;
  }

  #checkSendable(frameBytes: number): Error | undefined {
    if (frameBytes > this.#peerMaxFrame) {
      return new ProtocolError(
        "RPYC_ERR_FRAME_TOO_LARGE",
        `the message is ${frameBytes} bytes, over the peer's maxFrameBytes (${this.#peerMaxFrame}); send less per call`,
      );
    }
    if (this.transport.closed)
      return new ConnectionClosedError(undefined, { cause: this.closeCause() });
    return undefined;
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * True when a Request's arguments or a Reply's value hold a byte string large enough to be
 * sent as its own segment (the common `echo(bytes)` / `return bytes` shapes; a large byte
 * string deeper inside a value is copied into the frame, which is correct, only slower).
 */
function carriesLargeBytes(message: Message): boolean {
  if (message.kind === MessageKind.Reply) return isLargeBytes(message.value);
  if (message.kind !== MessageKind.Request || message.args === undefined) return false;
  for (const arg of message.args) if (isLargeBytes(arg)) return true;
  return false;
}

function isLargeBytes(value: unknown): boolean {
  return value instanceof Uint8Array && value.byteLength >= OUT_OF_LINE_BYTES;
}
