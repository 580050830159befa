import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { ProtocolError, TransportError } from "@rpyc/core";
import {
  MAX_BATCH_BYTES,
  createWebSocketTransport,
  type WebSocketLike,
} from "../src/websocket-transport.ts";
import { recordTransport as record } from "@rpyc/core/testing";

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

  it("sends the frames of one tick as one batch message once the peer's limits are known", async () => {
    const transport = createWebSocketTransport(asLike(local));
    record(transport);
    const received: Buffer[] = [];
    remote.on("message", (data: Buffer) => received.push(data));
    transport.setPeerLimits!({ maxFrameBytes: 1 << 20 });
    transport.send(Uint8Array.of(0x81, 1));
    transport.send(Uint8Array.of(0x82, 2, 3));
    transport.send(Uint8Array.of(0x80));
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5000 });
    expect([...received[0]!]).toEqual([
      0, 0, 0, 0, 2, 0x81, 1, 0, 0, 0, 3, 0x82, 2, 3, 0, 0, 0, 1, 0x80,
    ]);
    transport.send(Uint8Array.of(0x81, 9)); // alone in its tick: as it is
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5000 });
    expect([...received[1]!]).toEqual([0x81, 9]);
  });

  it("keeps every batch within the peer's maxFrameBytes and MAX_BATCH_BYTES", async () => {
    const transport = createWebSocketTransport(asLike(local));
    record(transport);
    const received: Buffer[] = [];
    remote.on("message", (data: Buffer) => received.push(data));
    transport.setPeerLimits!({ maxFrameBytes: 100 });
    for (let i = 0; i < 10; i++) transport.send(new Uint8Array(30).fill(0x80 + i)); // 34 B each
    const big = new Uint8Array(MAX_BATCH_BYTES).fill(0x99);
    transport.send(big); // too big to share a batch: alone
    await vi.waitFor(() => expect(received).toHaveLength(6), { timeout: 5000 });
    expect(received.slice(0, 5).map((m) => m.byteLength)).toEqual([69, 69, 69, 69, 69]);
    expect(received[5]!.byteLength).toBe(MAX_BATCH_BYTES);
  });

  it("unpacks a batch into its frames, in order; a malformed one fails with RPYC_ERR_MALFORMED", async () => {
    const got = record(createWebSocketTransport(asLike(local)));
    remote.send(Uint8Array.of(0, 0, 0, 0, 1, 0x81, 0, 0, 0, 2, 0x82, 7));
    await vi.waitFor(() => expect(got.frames).toHaveLength(2), { timeout: 5000 });
    expect(got.frames.map((f) => [...f])).toEqual([[0x81], [0x82, 7]]);
    remote.send(Uint8Array.of(0, 0, 0, 0, 9, 0x81)); // announces 9 bytes, carries 1
    await got.closed;
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_MALFORMED");
    expect(got.frames).toHaveLength(2);
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
