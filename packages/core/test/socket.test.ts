/**
 * The main cases over a real socket pair: net.createServer on 127.0.0.1 port 0, both ends via
 * connectStream (length-prefixed frames over TCP).
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ConnectionClosedError,
  Service,
  TimeoutError,
  byRef,
  connectStream,
  currentCall,
  release,
  withOptions,
  type Connection,
  type Remote,
} from "@rpyc/core";
import { finish } from "./harness.ts";

class Counter {
  n = 0;
  inc() {
    return ++this.n;
  }
}

let gateOpen: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();

class RemoteLab extends Service {
  async afterGate(n: number) {
    await gate;
    return n;
  }
  add(a: number, b: number) {
    return a + b;
  }
  echo(x: unknown) {
    return x;
  }
  counter() {
    return new Counter();
  }
  async down(n: number, cb: (n: number) => Promise<number>): Promise<number> {
    return n === 0 ? 0 : 1 + (await cb(n - 1));
  }
  *numbers(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }
  hang() {
    const { signal } = currentCall();
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason as Error)),
    );
  }
  fail(): never {
    throw new RangeError("remote range");
  }
}

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function socketPair(): Promise<{
  client: Connection<RemoteLab>;
  served: Connection;
  clientSocket: Socket;
}> {
  const accepted = new Promise<Connection>((resolve, reject) => {
    server = createServer((socket) => {
      sockets.push(socket);
      connectStream(socket, { service: RemoteLab }).then(resolve, reject);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server!.address() as AddressInfo;
  const socket = connect({ host: "127.0.0.1", port });
  socket.setNoDelay(true);
  sockets.push(socket);
  const [client, served] = await Promise.all([connectStream<RemoteLab>(socket), accepted]);
  return { client, served, clientSocket: socket };
}

describe("over a real TCP socket", () => {
  it("calls, values, errors and callbacks", async () => {
    const { client, served } = await socketPair();
    const root = client.root as Remote<RemoteLab>;
    expect(await root.add(2, 3)).toBe(5);
    const bytes = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    const back = (await root.echo(bytes)) as Uint8Array;
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(back, bytes)).toBe(0); // (toEqual on 1 MiB is needlessly slow)
    await expect(root.fail()).rejects.toThrow(RangeError);
    const cb = async (n: number): Promise<number> =>
      n === 0 ? 0 : 1 + (await root.down(n - 1, cb));
    expect(await root.down(20, cb)).toBe(20);
    const counter = await root.counter();
    expect([await counter.inc(), await counter.inc()]).toEqual([1, 2]);
    release(counter);
    const local = byRef({ mine: true });
    expect((await root.echo(local)) === local).toBe(true);
    await finish(client, served);
  });

  it("a large byte string goes to the socket by reference, both ways (no copy)", async () => {
    const { client, served } = await socketPair();
    const root = client.root as Remote<RemoteLab>;
    const written: Uint8Array[] = [];
    const capture = (socket: Socket) => {
      const write = socket.write.bind(socket) as (chunk: Uint8Array) => boolean;
      socket.write = ((chunk: Uint8Array) => {
        written.push(chunk);
        return write(chunk);
      }) as typeof socket.write;
    };
    sockets.forEach(capture);
    const bytes = new Uint8Array(256 * 1024).map((_, i) => (i * 7) & 0xff);
    const back = (await root.echo(bytes)) as Uint8Array;
    expect(Buffer.compare(back, bytes)).toBe(0);
    expect(written).toContain(bytes); // the caller's very array, not a copy
    // The server echoed the view it decoded (a part of its received frame), also as-is.
    expect(written.filter((chunk) => chunk.byteLength === bytes.byteLength)).toHaveLength(2);
    await finish(client, served);
  });

  it("await close() returns once the socket is closed, on both sides' request", async () => {
    const { client, served, clientSocket } = await socketPair();
    expect(await (client.root as Remote<RemoteLab>).add(1, 2)).toBe(3);
    let socketClosed = false;
    clientSocket.once("close", () => (socketClosed = true));
    await client.close();
    expect(socketClosed).toBe(true);
    expect(clientSocket.destroyed).toBe(true);
    expect(served.closed).toBe(true);
    await served.close(); // already closed: resolves at once
  });

  it("answers of asynchronous handlers that finish together leave in a few writes", async () => {
    const { client, served } = await socketPair();
    const root = client.root as Remote<RemoteLab>;
    gate = new Promise((resolve) => (gateOpen = resolve));
    const calls = Array.from({ length: 64 }, (_, i) => root.afterGate(i));
    await expect.poll(() => served.serving).toBe(64);
    const serverSocket = sockets.find((s) => s !== sockets[0])!;
    const write = vi.spyOn(serverSocket, "write");
    gateOpen();
    expect(await Promise.all(calls)).toEqual([...Array(64).keys()]);
    expect(write.mock.calls.length).toBeGreaterThan(0);
    expect(write.mock.calls.length).toBeLessThan(8); // not one write per answer
    await finish(client, served);
  });

  it("1,000 concurrent calls, pipelining and iteration", async () => {
    const { client, served } = await socketPair();
    const root = client.root as Remote<RemoteLab>;
    const sums = await Promise.all(Array.from({ length: 1000 }, (_, i) => root.add(i, i)));
    expect(sums[999]).toBe(1998);
    expect(await (() => Promise.resolve(root.counter().inc()))()).toBe(1);
    const seen: number[] = [];
    for await (const x of root.numbers(50)) seen.push(x);
    expect(seen).toHaveLength(50);
    await finish(client, served);
  });

  it("timeouts cancel the remote handler; close rejects pending calls", async () => {
    const { client, served } = await socketPair();
    const root = client.root as Remote<RemoteLab>;
    await expect(withOptions(root, { timeout: 30 }).hang()).rejects.toBeInstanceOf(TimeoutError);
    expect(await root.add(1, 1)).toBe(2);
    const pending = root.hang();
    const closed = new Promise((resolve) => served.on("close", resolve));
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await closed;
    expect(served.closed).toBe(true);
    expect(served.stats()).toEqual({
      exported: 0,
      imported: 0,
      pending: 0,
      held: 0,
      heldByPeer: 0,
    });
  });
});
