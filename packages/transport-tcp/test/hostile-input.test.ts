// Hostile and heavy input on a real TCP server (issue 11, items 3, 6 and 7): a client that
// never reads its replies, oversize or foreign prefixes, half-sent frames. Each case keeps a
// healthy control client calling the same server, and ends with nothing left open.
import type { Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Service, type Connection } from "@rpyc/core";
import { frameHeader } from "@rpyc/protocol";
import { connect, serve, type ServeOptions, type Server } from "../src/index.ts";
import { callFrame, helloFrame, RawClient } from "./raw-client.ts";

const MiB = 1024 * 1024;

class BigService extends Service {
  /** One MiB per call: a few hundred calls owe the caller hundreds of MiB. */
  blob(): Uint8Array {
    return new Uint8Array(MiB);
  }
  add(a: number, b: number): number {
    return a + b;
  }
}

const servers: Server[] = [];
const clients: Connection[] = [];
const raws: RawClient[] = [];
/** The server side of every accepted socket, in order (captured by the authenticator hook). */
let accepted: Socket[] = [];
const errors: unknown[] = [];

async function start(options: ServeOptions = {}): Promise<Server> {
  const server = await serve(BigService, {
    ...options,
    authenticator: (socket) => void accepted.push(socket),
    onError: (error) => errors.push(error),
  });
  servers.push(server);
  return server;
}

async function control(server: Server): Promise<Connection> {
  const conn = await connect(server.host!, server.port);
  clients.push(conn);
  return conn;
}

async function raw(server: Server): Promise<RawClient> {
  const client = await RawClient.open(server.port);
  raws.push(client);
  return client;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** The control client still gets correct answers, and both tables are empty. */
async function expectHealthy(server: Server, conn: Connection): Promise<void> {
  expect(await conn.root.add(2, 3)).toBe(5);
  expect(conn.stats()).toMatchObject({ exported: 0, imported: 0, pending: 0 });
  for (const serverConn of server.connections) {
    expect(serverConn.stats()).toMatchObject({ exported: 0, imported: 0, pending: 0 });
  }
}

afterEach(async () => {
  for (const client of raws.splice(0)) client.destroy();
  await Promise.all(clients.splice(0).map((conn) => conn.close()));
  for (const server of servers.splice(0)) {
    await server.close({ timeout: 0 });
    expect(server.socketCount).toBe(0);
  }
  accepted = [];
  errors.length = 0;
});

describe("a client that does not read its replies (item 3)", () => {
  it("is paused at the high-water mark: the server's buffer stays bounded", async () => {
    const server = await start();
    const conn = await control(server);
    const hog = await raw(server);
    hog.socket.pause(); // never reads
    const calls = Array.from({ length: 400 }, (_, i) => callFrame(i + 1, "blob"));
    hog.socket.write(concat([helloFrame(), ...calls]));
    const hogSide = await vi.waitFor(
      () => {
        const socket = accepted.find((s) => s.writableLength > 0);
        expect(socket).toBeDefined();
        return socket!;
      },
      { timeout: 10_000 },
    );
    // Many round trips of the control client: time for the server to run every call it would.
    for (let i = 0; i < 20; i++) await expectHealthy(server, conn);
    // Paused past 8 MiB (plus the reply that crossed it), never the 400 MiB the calls would owe.
    expect(hogSide.writableLength).toBeGreaterThan(0);
    expect(hogSide.writableLength).toBeLessThan(12 * MiB);
    expect(hogSide.destroyed).toBe(false);
    expect(errors).toEqual([]);
  });

  it("a client that reads gets all 400 replies", async () => {
    const server = await start();
    const conn = await control(server);
    const reader = await raw(server);
    const calls = Array.from({ length: 400 }, (_, i) => callFrame(i + 1, "blob"));
    reader.socket.write(concat([helloFrame(), ...calls]));
    await vi.waitFor(() => expect(reader.replies()).toBe(400), { timeout: 30_000 });
    const seqs = reader.received.flatMap((m) => (m.kind === 2 ? [m.seq] : []));
    expect(seqs).toEqual(calls.map((_, i) => i + 1));
    await expectHealthy(server, conn);
    expect(errors).toEqual([]);
  });

  it("past maxQueuedBytes the connection closes with RPYC_ERR_SEND_QUEUE_FULL", async () => {
    // A mark above the bound: backpressure cannot help, the hard bound must hold on its own.
    const server = await start({ maxQueuedBytes: 4 * MiB, highWaterBytes: 64 * MiB });
    const conn = await control(server);
    const hog = await raw(server);
    hog.socket.pause();
    const calls = Array.from({ length: 50 }, (_, i) => callFrame(i + 1, "blob"));
    hog.socket.write(concat([helloFrame(), ...calls]));
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000 });
    expect(errors[0]).toMatchObject({ code: "RPYC_ERR_SEND_QUEUE_FULL" });
    hog.socket.resume(); // read again, so that the server's reset is seen
    await hog.closed;
    await expectHealthy(server, conn);
  });
});

describe("bad prefixes get a coded Close (item 6)", () => {
  const cases: [string, Uint8Array, string][] = [
    ["a 4 GiB prefix", new Uint8Array([0xff, 0xff, 0xff, 0xff]), "RPYC_ERR_FRAME_TOO_LARGE"],
    ["maxFrameBytes + 1", frameHeader(MiB + 1), "RPYC_ERR_FRAME_TOO_LARGE"],
    [
      "an HTTP request",
      new TextEncoder().encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
      "RPYC_ERR_NOT_RPYC",
    ],
  ];
  for (const [name, bytes, code] of cases) {
    it(`${name}: Close ${code}, then the socket closes`, async () => {
      const server = await start({ config: { limits: { maxFrameBytes: MiB } } });
      const conn = await control(server);
      const client = await raw(server);
      client.socket.write(bytes);
      expect(await client.closeCode()).toBe(code);
      await vi.waitFor(() => expect(server.socketCount).toBe(1), { timeout: 5000 });
      await expectHealthy(server, conn);
    });
  }

  it("after a Hello too: frames before the bad prefix are served, then the Close", async () => {
    const server = await start({ config: { limits: { maxFrameBytes: MiB } } });
    const client = await raw(server);
    client.socket.write(concat([helloFrame(), callFrame(1, "add"), frameHeader(MiB + 1)]));
    expect(await client.closeCode()).toBe("RPYC_ERR_FRAME_TOO_LARGE");
    expect(client.received.map((m) => m.kind)).toEqual([0, 2, 8]); // Hello, Reply, Close
  });
});

describe("half-sent frames (item 7)", () => {
  it("a 64 MiB prefix and one byte cost one byte, not 64 MiB, on each of 20 connections", async () => {
    const server = await start();
    const conn = await control(server);
    const before = process.memoryUsage().arrayBuffers;
    const halves = await Promise.all(Array.from({ length: 20 }, () => raw(server)));
    for (const half of halves)
      half.socket.write(concat([frameHeader(64 * MiB - 1), new Uint8Array([7])]));
    // Each server socket read its 5 bytes (+1 for the control client's).
    await vi.waitFor(() => expect(accepted.filter((s) => s.bytesRead === 5)).toHaveLength(20), {
      timeout: 10_000,
    });
    await expectHealthy(server, conn);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * MiB);
  });

  it("a frame that stalls past frameTimeoutMs closes with RPYC_ERR_FRAME_TIMEOUT", async () => {
    const server = await start({ frameTimeoutMs: 50 });
    const conn = await control(server);
    const client = await raw(server);
    client.socket.write(concat([helloFrame(), frameHeader(1000), new Uint8Array(10)]));
    expect(await client.closeCode()).toBe("RPYC_ERR_FRAME_TIMEOUT");
    await expectHealthy(server, conn);
  });
});
