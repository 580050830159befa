/**
 * A hand-driven TCP client for hostile-input tests: it writes raw bytes to a real server and
 * decodes whatever frames come back, so a test can check the server's coded `Close`.
 */
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import {
  createHello,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  type Message,
  MessageKind,
  Op,
  RefKind,
  ROOT_ID,
  WireRef,
} from "@rpyc/protocol";

export class RawClient {
  /** Messages decoded from what the server sent, in order. */
  readonly received: Message[] = [];
  /** Resolves once the socket closed (the server ended or reset it). */
  readonly closed: Promise<void>;
  readonly #decoder = new FrameDecoder();

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const frame of this.#decoder.push(chunk)) this.received.push(decodeMessage(frame));
    });
    socket.on("error", () => undefined); // a reset after the server's Close is expected
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = netConnect({ host: "127.0.0.1", port });
    await once(socket, "connect");
    return new RawClient(socket);
  }

  /** The code of the server's `Close`, once the socket closed. */
  async closeCode(): Promise<string | undefined> {
    await this.closed;
    const close = this.received.find((message) => message.kind === MessageKind.Close);
    return close?.kind === MessageKind.Close ? close.code : undefined;
  }

  replies(): number {
    return this.received.filter((message) => message.kind === MessageKind.Reply).length;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A framed Hello from a raw client. */
export function helloFrame(): Uint8Array {
  return encodeFrame(
    encodeMessage(
      createHello({ version: "0.0.0-raw", service: "RAW", limits: { maxFrameBytes: 1 << 30 } }),
    ),
  );
}

/** A framed Request `seq` calling `name()` on the server's root. */
export function callFrame(seq: number, name: string): Uint8Array {
  return encodeFrame(
    encodeMessage({
      kind: MessageKind.Request,
      seq,
      op: Op.CallAttr,
      target: new WireRef(RefKind.Yours, ROOT_ID),
      name,
      args: [],
    }),
  );
}
