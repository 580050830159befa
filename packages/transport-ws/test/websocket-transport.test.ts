import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { ProtocolError, TransportError, type Transport } from "@rpyc/core";
import { createWebSocketTransport, type WebSocketLike } from "../src/websocket-transport.ts";

/** A real ws pair on 127.0.0.1: `local` (client) for the transport under test, `remote` raw. */
let wss: WebSocketServer;
let local: WebSocket;
let remote: WebSocket;

async function openPair(maxPayload?: number): Promise<void> {
  wss = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload });
  await once(wss, "listening");
  const accepted = once(wss, "connection");
  local = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, {
    maxPayload,
  });
  await once(local, "open");
  [remote] = (await accepted) as [WebSocket];
  remote.on("error", () => {}); // the raw peer's own errors (e.g. a refused oversize message)
}

beforeEach(() => openPair());

afterEach(async () => {
  local.terminate();
  remote.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

function record(transport: Transport) {
  const frames: Uint8Array[] = [];
  let closes = 0;
  let error: Error | undefined;
  const closed = new Promise<void>((resolve) =>
    transport.start({
      onFrame: (frame) => frames.push(frame),
      onClose: (e) => {
        closes++;
        error = e;
        resolve();
      },
    }),
  );
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

const asLike = (ws: WebSocket): WebSocketLike => ws;

describe("createWebSocketTransport", () => {
  it("maps one frame to one binary message, both ways, in order", async () => {
    const transport = createWebSocketTransport(asLike(local));
    const got = record(transport);
    const received: Buffer[] = [];
    remote.on("message", (data: Buffer, isBinary) => {
      expect(isBinary).toBe(true);
      received.push(data);
    });
    transport.send(Uint8Array.of(1, 2));
    transport.send(new Uint8Array(0));
    transport.send(new Uint8Array(100_000).fill(3));
    remote.send(Uint8Array.of(9));
    remote.send(Uint8Array.of(8, 7));
    await vi.waitFor(() => expect(received).toHaveLength(3), { timeout: 5000 });
    await vi.waitFor(() => expect(got.frames).toHaveLength(2), { timeout: 5000 });
    expect(received.map((b) => b.byteLength)).toEqual([2, 0, 100_000]);
    expect(got.frames.map((f) => [...f])).toEqual([[9], [8, 7]]);
  });

  it("keeps frames that arrive before start()", async () => {
    const transport = createWebSocketTransport(asLike(local));
    const arrived = once(local, "message");
    remote.send(Uint8Array.of(5));
    await arrived;
    const got = record(transport);
    expect(got.frames.map((f) => [...f])).toEqual([[5]]);
  });

  it("refuses a text message with RPYC_ERR_TEXT_FRAME and closes with 1003", async () => {
    const got = record(createWebSocketTransport(asLike(local)));
    const remoteClosed = once(remote, "close");
    remote.send("hello");
    await got.closed;
    expect(got.error).toBeInstanceOf(ProtocolError);
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_TEXT_FRAME");
    const [code] = (await remoteClosed) as [number];
    expect(code).toBe(1003);
  });

  it("refuses a message over maxFrameBytes with RPYC_ERR_FRAME_TOO_LARGE", async () => {
    local.terminate();
    remote.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await openPair(1024);
    const got = record(createWebSocketTransport(asLike(local), { maxFrameBytes: 1024 }));
    remote.send(new Uint8Array(1025));
    await got.closed;
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_FRAME_TOO_LARGE");
  });

  it("the sender learns when its peer refused a message as too large", async () => {
    local.terminate();
    remote.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await openPair(1024);
    const got = record(createWebSocketTransport(asLike(local)));
    local.send(new Uint8Array(10)); // fine
    local.send(new Uint8Array(4096)); // over the server's maxPayload: it closes with 1009
    await got.closed;
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_FRAME_TOO_LARGE");
  });

  it("fails with RPYC_ERR_SEND_QUEUE_FULL when bufferedAmount passes the bound", async () => {
    remote.pause();
    const transport = createWebSocketTransport(asLike(local), { maxBufferedBytes: 1024 * 1024 });
    const got = record(transport);
    const chunk = new Uint8Array(256 * 1024);
    for (let i = 0; i < 4096 && !transport.closed; i++) {
      transport.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await got.closed;
    expect(got.error).toBeInstanceOf(TransportError);
    expect((got.error as TransportError).code).toBe("RPYC_ERR_SEND_QUEUE_FULL");
  });

  it("close() closes with 1000 and calls onClose once, without error", async () => {
    const transport = createWebSocketTransport(asLike(local));
    const got = record(transport);
    const remoteClosed = once(remote, "close");
    transport.close();
    transport.close();
    transport.send(Uint8Array.of(1)); // ignored
    expect(transport.closed).toBe(true);
    const [code] = (await remoteClosed) as [number];
    expect(code).toBe(1000);
    await got.closed;
    expect(got.closes).toBe(1);
    expect(got.error).toBeUndefined();
  });

  it("reports a dropped peer", async () => {
    const got = record(createWebSocketTransport(asLike(local)));
    remote.terminate();
    await got.closed;
    expect(got.closes).toBe(1);
  });
});
