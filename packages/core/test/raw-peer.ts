/**
 * A hand-driven peer for hostile-input tests: it speaks raw frames to a real Connection over
 * one end of an in-memory pair, and lets the test read what the Connection answers.
 */
import { vi } from "vitest";
import {
  type Message,
  MessageKind,
  Op,
  PROTOCOL_VERSION,
  ROOT_ID,
  RefKind,
  type RequestMessage,
  WireRef,
  decodeMessage,
  encodeMessage,
} from "@rpyc/protocol";
import { type ConnectOptions, type Connection, connectTransport } from "@rpyc/core";
import { type MemoryTransport, createMemoryTransportPair } from "@rpyc/core/testing";

export class RawPeer {
  readonly received: Message[] = [];
  closed = false;
  closeError: Error | undefined;
  #read = 0;

  constructor(readonly end: MemoryTransport) {
    end.start({
      onFrame: (frame) => this.received.push(decodeMessage(frame)),
      onClose: (error) => {
        this.closed = true;
        this.closeError = error;
      },
    });
  }

  /** Connects a real Connection (the one under test) to a raw peer that has said Hello. */
  static async connect(options: ConnectOptions = {}): Promise<{ peer: RawPeer; conn: Connection }> {
    const [mine, theirs] = createMemoryTransportPair();
    const peer = new RawPeer(mine);
    peer.send({
      kind: MessageKind.Hello,
      protocol: PROTOCOL_VERSION,
      version: "0.0.0-raw",
      service: "RAW",
      aliases: [],
      limits: { maxFrameBytes: 1 << 20 },
    });
    const conn = await connectTransport(theirs, options);
    await peer.next(MessageKind.Hello);
    return { peer, conn };
  }

  send(message: Message): void {
    this.end.send(encodeMessage(message));
  }

  /** Sends a Request `seq`: a CallAttr on the Connection's root unless `fields` say otherwise. */
  request(seq: number, fields: Partial<Omit<RequestMessage, "kind" | "seq">> = {}): void {
    this.send({
      kind: MessageKind.Request,
      seq,
      op: Op.CallAttr,
      target: new WireRef(RefKind.Yours, ROOT_ID),
      ...fields,
    });
  }

  sendBytes(bytes: Uint8Array): void {
    this.end.inject(bytes);
  }

  /** The next message of `kind` the Connection sent (waits for it). */
  async next<K extends Message["kind"]>(kind: K): Promise<Extract<Message, { kind: K }>> {
    let found: Message | undefined;
    await vi.waitFor(
      () => {
        for (; this.#read < this.received.length; this.#read++) {
          const message = this.received[this.#read]!;
          if (message.kind === kind) {
            this.#read++;
            found = message;
            return;
          }
        }
        throw new Error(`no message of kind ${kind} yet`);
      },
      { timeout: 5000 },
    );
    return found as Extract<Message, { kind: K }>;
  }
}
