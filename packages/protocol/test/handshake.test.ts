import { describe, expect, it } from "vitest";
import {
  MessageKind,
  PROTOCOL_VERSION,
  ProtocolError,
  RPYC_ERR_VERSION_MISMATCH,
  checkHello,
  createHello,
  decodeMessage,
  encodeMessage,
} from "@rpyc/protocol";

describe("handshake", () => {
  const hello = createHello({
    version: "0.1.0",
    service: "ECHO",
    aliases: ["E"],
    limits: { maxFrameBytes: 1024 },
  });

  it("builds a Hello for this protocol version that survives the wire", () => {
    expect(hello).toStrictEqual({
      kind: MessageKind.Hello,
      protocol: PROTOCOL_VERSION,
      version: "0.1.0",
      service: "ECHO",
      aliases: ["E"],
      limits: { maxFrameBytes: 1024 },
    });
    const received = decodeMessage(encodeMessage(hello));
    expect(received).toStrictEqual(hello);
    if (received.kind === MessageKind.Hello) expect(() => checkHello(received)).not.toThrow();
  });

  it("refuses another protocol version with a coded error naming both versions", () => {
    const peer = { ...hello, protocol: PROTOCOL_VERSION + 1, version: "2.0.0" };
    const received = decodeMessage(encodeMessage(peer));
    expect(received.kind).toBe(MessageKind.Hello);
    let error: unknown;
    try {
      checkHello(received as typeof peer);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(RPYC_ERR_VERSION_MISMATCH);
    expect((error as Error).message).toBe(
      `protocol version mismatch: the peer (rpyc-ts 2.0.0) speaks wire protocol ${PROTOCOL_VERSION + 1}, ` +
        `this side speaks wire protocol ${PROTOCOL_VERSION}; upgrade the older side so both use the same major version`,
    );
  });
});
