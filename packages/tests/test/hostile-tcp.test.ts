/**
 * Hostile input on a real TCP socket: the offending connection is dropped, memory stays bounded,
 * and a well-behaved client keeps getting answers throughout.
 */
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Service, type Connection } from "@rpyc/core";
import { encodeFrame, encodeMessage, createHello, MessageKind } from "@rpyc/protocol";
import { connect, serve, type Server } from "@rpyc/transport-tcp";

class EchoService extends Service {
  echo(value: unknown) {
    return value;
  }
}

const SEND_QUEUE_LIMIT = 1024 * 1024;
let server: Server;
let good: Connection;
const serverErrors: unknown[] = [];

beforeAll(async () => {
  server = await serve(EchoService, {
    maxQueuedBytes: SEND_QUEUE_LIMIT,
    onError: (error) => serverErrors.push(error),
  });
  good = await connect("127.0.0.1", server.port);
});

afterAll(async () => {
  await good?.close();
  await server?.close({ timeout: 0 });
  expect(server.socketCount).toBe(0);
  expect(server.connections.size).toBe(0);
});

/** Codes of the errors the server reported since the last call. */
function reportedCodes(): string[] {
  return serverErrors.splice(0).map((error) => String((error as { code?: unknown }).code));
}

/** The well-behaved client still gets answers, and only its socket is left on the server. */
async function serverStillServes(): Promise<void> {
  expect(await good.root.echo("still here")).toBe("still here");
  await vi.waitFor(() => expect(server.socketCount).toBe(1), { timeout: 5000 });
  expect(server.connections.size).toBe(1);
  expect(good.closed).toBe(false);
}

/** A raw client socket; it reads (and drops) whatever the server sends. */
async function raw(): Promise<Socket> {
  const socket = netConnect({ host: "127.0.0.1", port: server.port });
  socket.on("error", () => {}); // resets are expected here
  socket.resume();
  await once(socket, "connect");
  return socket;
}

/** Resolves when `socket` closed (by the server), whatever the reason. */
function closedOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

const hello = encodeFrame(
  encodeMessage(
    createHello({
      version: "0.0.0-hostile",
      service: "HOSTILE",
      limits: { maxFrameBytes: 1 << 20 },
    }),
  ),
);

describe("hostile input on a real TCP socket", () => {
  it("drops a client that sends garbage bytes", async () => {
    const socket = await raw();
    const closed = closedOf(socket);
    // "GET " is a 1.2 GB length prefix; as the stream's first bytes, it is named as HTTP.
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await closed;
    const other = await raw();
    const otherClosed = closedOf(other);
    other.write(Uint8Array.of(0, 0, 0, 6, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa)); // not CBOR
    await otherClosed;
    await serverStillServes();
    expect(reportedCodes()).toEqual(["RPYC_ERR_NOT_RPYC", "RPYC_ERR_MALFORMED"]);
  });

  it("drops a client announcing a 4 GiB frame, without allocating it", async () => {
    const socket = await raw();
    const closed = closedOf(socket);
    const heapBefore = process.memoryUsage().arrayBuffers;
    socket.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4));
    await closed;
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 * 1024 * 1024);
    await serverStillServes();
    expect(reportedCodes()).toEqual(["RPYC_ERR_FRAME_TOO_LARGE"]);
  });

  it("drops a client whose frame is cut off halfway by EOF", async () => {
    const socket = await raw();
    const closed = closedOf(socket);
    socket.write(hello);
    const frame = encodeFrame(new Uint8Array(100));
    socket.end(frame.subarray(0, 50));
    await closed;
    await serverStillServes();
    expect(reportedCodes()).toContain("RPYC_ERR_TRUNCATED_FRAME");
  });

  it("drops a client that never reads its replies once the send queue is full", async () => {
    const socket = await raw();
    socket.pause(); // never read: the server's replies pile up
    const closed = closedOf(socket);
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    socket.write(hello);
    const payload = new Uint8Array(256 * 1024);
    const rssBefore = process.memoryUsage().rss;
    // Each ping's pong echoes 256 KiB. Stop as soon as the server dropped us (bounded anyway).
    for (let seq = 1; seq <= 512 && !isClosed; seq++) {
      const ok = socket.write(encodeFrame(encodeMessage({ kind: MessageKind.Ping, seq, payload })));
      if (!ok)
        await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), closed]);
    }
    await closed;
    expect(isClosed).toBe(true);
    // Bounded: socket buffers plus the 1 MiB queue, far below the 128 MiB sent at most.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(96 * 1024 * 1024);
    await serverStillServes();
    expect(reportedCodes()).toContain("RPYC_ERR_SEND_QUEUE_FULL");
  });

  it("survives 200 connections opened and dropped at once", async () => {
    const sockets = await Promise.all(Array.from({ length: 200 }, () => raw()));
    sockets.forEach((socket, i) => {
      if (i % 2 === 0) socket.write(hello); // half of them get as far as the handshake
    });
    expect(await good.root.echo(42)).toBe(42);
    for (const socket of sockets) socket.destroy();
    await vi.waitFor(() => expect(server.socketCount).toBe(1), { timeout: 5000 });
    await serverStillServes();
  });
});
