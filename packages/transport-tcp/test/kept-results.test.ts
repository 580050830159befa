// Results kept for a peer are bounded by bytes, not only by count (issue 11, item 8), on a real
// TCP server: a raw client asks for hundreds of 1 MiB results to be held (or pinned for
// dependents it never sends); the server keeps at most `maxHeldBytes` of them.
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Service, type Connection } from "@rpyc/core";
import {
  FrameDecoder,
  MessageKind,
  Op,
  ROOT_ID,
  RefKind,
  WireRef,
  decodeMessage,
  encodeFrame,
  encodeMessage,
} from "@rpyc/protocol";
import { connect, serve, type Server } from "../src/index.ts";
import { helloFrame } from "./raw-client.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MiB = 1024 * 1024;

class BlobService extends Service {
  /** A fresh MiB per call: keeping 300 results would pin 300 MiB. */
  blob(): Uint8Array {
    return new Uint8Array(MiB);
  }
  add(a: number, b: number): number {
    return a + b;
  }
}

/** What a raw client got back, kind and seq only (the 1 MiB values are not kept). */
interface Answer {
  readonly kind: number;
  readonly seq: number;
  readonly code?: unknown;
}

/** A raw client that records answers without keeping their values. */
async function rawAnswers(port: number): Promise<{ socket: Socket; answers: Answer[] }> {
  const socket = netConnect({ host: "127.0.0.1", port });
  socket.on("error", () => undefined);
  await once(socket, "connect");
  const frames = new FrameDecoder();
  const answers: Answer[] = [];
  socket.on("data", (chunk: Uint8Array) => {
    for (const frame of frames.push(chunk)) {
      const message = decodeMessage(frame);
      if (message.kind === MessageKind.Error)
        answers.push({ kind: message.kind, seq: message.seq, code: message.error.code });
      else if ("seq" in message) answers.push({ kind: message.kind, seq: message.seq });
    }
  });
  sockets.push(socket);
  return { socket, answers };
}

function blobRequest(seq: number, extra: { hold?: number; pin?: number }): Uint8Array {
  return encodeFrame(
    encodeMessage({
      kind: MessageKind.Request,
      seq,
      op: Op.CallAttr,
      target: new WireRef(RefKind.Yours, ROOT_ID),
      name: "blob",
      args: [],
      ...extra,
    }),
  );
}

const servers: Server[] = [];
const clients: Connection[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(clients.splice(0).map((conn) => conn.close()));
  for (const server of servers.splice(0)) {
    await server.close({ timeout: 0 });
    expect(server.socketCount).toBe(0);
  }
});

async function start(): Promise<{ server: Server; control: Connection }> {
  const server = await serve(BlobService);
  servers.push(server);
  const control = await connect(server.host!, server.port);
  clients.push(control);
  return { server, control };
}

describe("results kept for the peer are bounded by bytes (maxHeldBytes, 32 MiB)", () => {
  it("300 held requests of 1 MiB results hold about 32 MiB, and the rest are replied", async () => {
    const { server, control } = await start();
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const { socket, answers } = await rawAnswers(server.port);
    const requests = Array.from({ length: 300 }, (_, i) => blobRequest(i + 1, { hold: 1 }));
    socket.write(Buffer.concat([helloFrame(), ...requests]));
    await vi.waitFor(() => expect(answers).toHaveLength(300), { timeout: 30_000 });
    const held = answers.filter((a) => a.kind === MessageKind.Held).length;
    const replied = answers.filter((a) => a.kind === MessageKind.Reply).length;
    // 32 MiB of 1 MiB results (each a few bytes more): 31 held, every other one replied.
    expect(held).toBe(31);
    expect(replied).toBe(300 - 31);
    const side = [...server.connections].find((c) => c.stats().held > 0)!;
    expect(side.stats().held).toBe(31);
    gc();
    // Without the byte bound: 300 MiB pinned. With it: the 31 MiB held, and little else.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * MiB);
    expect(await control.root.add(2, 3)).toBe(5);
    expect(control.stats()).toMatchObject({ exported: 0, imported: 0, pending: 0 });
  });

  it("a Take frees its bytes: more results are held again", async () => {
    const { server } = await start();
    const { socket, answers } = await rawAnswers(server.port);
    const first = Array.from({ length: 40 }, (_, i) => blobRequest(i + 1, { hold: 1 }));
    socket.write(Buffer.concat([helloFrame(), ...first]));
    await vi.waitFor(() => expect(answers).toHaveLength(40));
    expect(answers.filter((a) => a.kind === MessageKind.Held)).toHaveLength(31);
    // Forget ten of them: room for ten more.
    socket.write(
      encodeFrame(
        encodeMessage({
          kind: MessageKind.Forget,
          seqs: Array.from({ length: 10 }, (_, i) => i + 1),
        }),
      ),
    );
    const more = Array.from({ length: 20 }, (_, i) => blobRequest(100 + i, { hold: 1 }));
    socket.write(Buffer.concat(more));
    await vi.waitFor(() => expect(answers).toHaveLength(60));
    const heldLater = answers.slice(40).filter((a) => a.kind === MessageKind.Held);
    expect(heldLater.map((a) => a.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 100 + i));
  });

  it("pinned results whose dependents never come: past 32 MiB their dependents get a coded error", async () => {
    const { server, control } = await start();
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const { socket, answers } = await rawAnswers(server.port);
    // 300 requests that promise a dependent each (pin: 1) and never send it.
    const requests = Array.from({ length: 300 }, (_, i) => blobRequest(i + 1, { pin: 1 }));
    socket.write(Buffer.concat([helloFrame(), ...requests]));
    await vi.waitFor(() => expect(answers).toHaveLength(300), { timeout: 30_000 });
    expect(answers.every((a) => a.kind === MessageKind.Reply)).toBe(true);
    gc();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * MiB);
    // A late dependent of a result that was not kept gets the coded error, not "unknown ref".
    socket.write(
      encodeFrame(
        encodeMessage({
          kind: MessageKind.Request,
          seq: 1000,
          op: Op.Get,
          target: new WireRef(RefKind.Pending, 300),
          name: "byteLength",
        }),
      ),
    );
    await vi.waitFor(() => expect(answers).toHaveLength(301));
    expect(answers[300]).toMatchObject({
      kind: MessageKind.Error,
      seq: 1000,
      code: "RPYC_ERR_TOO_MANY_REQUESTS",
    });
    expect(await control.root.add(2, 3)).toBe(5);
  });

  it("an honest client pipelining through 1 MiB results within the budget gets every answer", async () => {
    const { control } = await start();
    for (let round = 0; round < 5; round++) {
      const lengths = await Promise.all(
        Array.from({ length: 20 }, () => control.root.blob().byteLength),
      );
      expect(lengths).toEqual(Array.from({ length: 20 }, () => MiB));
    }
    expect(control.stats()).toMatchObject({ exported: 0, imported: 0, pending: 0 });
  });
});
