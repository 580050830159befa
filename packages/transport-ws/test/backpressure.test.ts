// A client that sends requests without reading the replies (issue 11, item 3) on a real ws
// server: its messages wait once 8 MiB are owed to it, instead of the server buffering the
// replies until the hard bound closes it; a client that reads gets every reply.
import { once } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { Service, type Connection } from "@rpyc/core";
import { WireRef, ROOT_ID, RefKind, Op, MessageKind, type Message } from "@rpyc/protocol";
import { createHello, decodeMessage, encodeMessage } from "@rpyc/protocol";
import { connect } from "../src/node.ts";
import { createWebSocketTransport } from "../src/index.ts";
import { serve, type WsServer } from "../src/server.ts";

const MiB = 1024 * 1024;

/** `blob()` owes its caller one MiB; 400 calls owe 400 MiB. */
class BlobService extends Service {
  blob(): Uint8Array {
    return new Uint8Array(MiB);
  }
}

const sockets: WebSocket[] = [];
const errors: unknown[] = [];
const servers: WsServer[] = [];
const clients: Connection[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(clients.splice(0).map((conn) => conn.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 0 })));
  errors.length = 0;
});

/** A raw client: sends each message as its own WebSocket message, decodes what comes back. */
async function rawClient(url: string): Promise<{ socket: WebSocket; received: Message[] }> {
  const socket = new WebSocket(url);
  sockets.push(socket);
  socket.on("error", () => undefined);
  await once(socket, "open");
  const received: Message[] = [];
  // The transport only to unpack the server's batches; sends go out one message each.
  createWebSocketTransport(socket).start({
    onFrame: (frame) => received.push(decodeMessage(frame)),
    onClose: () => undefined,
  });
  const hello = createHello({
    version: "0.0.0-raw",
    service: "RAW",
    limits: { maxFrameBytes: 1 << 30 },
  });
  socket.send(encodeMessage(hello));
  for (let seq = 1; seq <= 400; seq++) {
    const target = new WireRef(RefKind.Yours, ROOT_ID);
    socket.send(
      encodeMessage({
        kind: MessageKind.Request,
        seq,
        op: Op.CallAttr,
        target,
        name: "blob",
        args: [],
      }),
    );
  }
  return { socket, received };
}

async function start(): Promise<{ server: WsServer; control: Connection }> {
  // A hard bound well below 400 MiB: only backpressure keeps the hog's connection alive.
  const server = await serve(BlobService, {
    maxBufferedBytes: 48 * MiB,
    onError: (e) => errors.push(e),
  });
  servers.push(server);
  const control = await connect(server.url);
  clients.push(control);
  return { server, control };
}

describe("ws backpressure", () => {
  it("holds the messages of a client that does not read; others are served", async () => {
    const { server, control } = await start();
    const hog = await rawClient(server.url);
    hog.socket.pause(); // never reads
    await vi.waitFor(() => expect(server.connections.size).toBe(2), { timeout: 5000 });
    for (let i = 0; i < 20; i++) expect(await control.ping()).toBeGreaterThanOrEqual(0);
    expect(server.connections.size).toBe(2); // not closed by the hard bound
    expect(errors).toEqual([]);
    expect(control.stats()).toMatchObject({ exported: 0, imported: 0, pending: 0 });
  });

  it("a client that reads gets all 400 replies", async () => {
    const { server, control } = await start();
    const reader = await rawClient(server.url);
    const replies = () => reader.received.filter((m) => m.kind === MessageKind.Reply).length;
    await vi.waitFor(() => expect(replies()).toBe(400), { timeout: 30_000 });
    expect(errors).toEqual([]);
    expect(await control.ping()).toBeGreaterThanOrEqual(0);
  });
});
