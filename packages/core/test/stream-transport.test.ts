import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FrameDecoder, ProtocolError } from "@rpyc/protocol";
import { createStreamTransport, LARGE_FRAME_BYTES } from "../src/stream-transport.ts";
import { TransportError } from "../src/errors.ts";
import { recordTransport as record } from "@rpyc/core/testing";

/** A real socket pair on 127.0.0.1: `local` for the transport under test, `remote` raw. */
let server: Server;
let local: Socket;
let remote: Socket;

beforeEach(async () => {
  server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as { port: number };
  const accepted = once(server, "connection");
  local = createConnection({ host: "127.0.0.1", port: address.port });
  await once(local, "connect");
  [remote] = (await accepted) as [Socket];
});

afterEach(async () => {
  local.destroy();
  remote.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function framed(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength);
  new DataView(out.buffer).setUint32(0, payload.byteLength);
  out.set(payload, 4);
  return out;
}

/** Collects whole frames the raw `remote` side receives. */
function remoteFrames(): Uint8Array[] {
  const decoder = new FrameDecoder();
  const frames: Uint8Array[] = [];
  remote.on("data", (chunk: Uint8Array) => frames.push(...decoder.push(chunk)));
  return frames;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("createStreamTransport", () => {
  it("delivers frames split across chunks, one byte at a time, and many per chunk", async () => {
    const got = record(createStreamTransport(local));
    const wire = new Uint8Array([
      ...framed(bytes(1, 2, 3)),
      ...framed(bytes()),
      ...framed(bytes(9)),
    ]);
    for (const byte of wire) remote.write(Uint8Array.of(byte));
    remote.write(new Uint8Array([...framed(bytes(4)), ...framed(bytes(5, 6))]));
    await vi.waitFor(() => expect(got.frames).toHaveLength(5));
    expect(got.frames.map((f) => [...f])).toEqual([[1, 2, 3], [], [9], [4], [5, 6]]);
  });

  it("keeps frames that arrive before start() and delivers them in order", async () => {
    const transport = createStreamTransport(local);
    const arrived = once(local, "data");
    remote.write(new Uint8Array([...framed(bytes(7)), ...framed(bytes(8))]));
    await arrived;
    const got = record(transport);
    expect(got.frames.map((f) => [...f])).toEqual([[7], [8]]);
  });

  it("coalesces the frames sent in one tick into one write", async () => {
    const transport = createStreamTransport(local);
    record(transport);
    const received = remoteFrames();
    const write = vi.spyOn(local, "write");
    for (let i = 0; i < 64; i++) transport.send(bytes(i, i));
    expect(write).not.toHaveBeenCalled(); // written on the next microtask, together
    await vi.waitFor(() => expect(received).toHaveLength(64));
    expect(write).toHaveBeenCalledTimes(1);
    expect(received.map((f) => f[0])).toEqual([...Array(64).keys()]);
  });

  it("writes a large payload as-is after its header (never copied)", async () => {
    const transport = createStreamTransport(local);
    record(transport);
    const received = remoteFrames();
    const write = vi.spyOn(local, "write");
    const big = new Uint8Array(LARGE_FRAME_BYTES * 4).fill(7);
    transport.send(bytes(1));
    transport.send(big);
    transport.send(bytes(2));
    await vi.waitFor(() => expect(received).toHaveLength(3));
    const written = write.mock.calls.map(([chunk]) => chunk);
    expect(written).toContain(big); // the very same buffer
    expect(written).toHaveLength(3); // [small + big's header], big, [small]
    expect(received[1]!.byteLength).toBe(big.byteLength);
    expect([received[0]![0], received[2]![0]]).toEqual([1, 2]);
  });

  it("writes a frame sent in segments with its large segment as-is (never copied)", async () => {
    const transport = createStreamTransport(local);
    record(transport);
    const received = remoteFrames();
    const write = vi.spyOn(local, "write");
    const big = new Uint8Array(LARGE_FRAME_BYTES * 2).fill(9);
    transport.send(bytes(1));
    transport.sendSegments!([bytes(0xa0, 0xa1), big, bytes(0xb0)]);
    transport.sendSegments!([bytes(3), bytes(4)]); // all small: packed like a frame
    transport.send(bytes(2));
    await vi.waitFor(() => expect(received).toHaveLength(4));
    const written = write.mock.calls.map(([chunk]) => chunk);
    expect(written).toContain(big); // the very same buffer
    expect(written).toHaveLength(3); // [1, header, a0 a1], big, [b0, 3 4, 2]
    const frame = received[1]!;
    expect(frame.byteLength).toBe(big.byteLength + 3);
    expect([frame[0], frame[1], frame[2], frame[frame.byteLength - 2], frame.at(-1)]).toEqual([
      0xa0, 0xa1, 9, 9, 0xb0,
    ]);
    expect(received.map((f) => [...f.subarray(0, 2)])).toEqual([[1], [0xa0, 0xa1], [3, 4], [2]]);
  });

  it("fails with RPYC_ERR_SEND_QUEUE_FULL when the peer stops reading", async () => {
    remote.pause();
    const transport = createStreamTransport(local, { maxQueuedBytes: 1024 * 1024 });
    const got = record(transport);
    const chunk = new Uint8Array(256 * 1024);
    for (let i = 0; i < 4096 && !transport.closed; i++) {
      transport.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await got.closed;
    expect(got.error).toBeInstanceOf(TransportError);
    expect((got.error as TransportError).code).toBe("RPYC_ERR_SEND_QUEUE_FULL");
    expect(local.destroyed).toBe(true);
  });

  it("resumes after drain without losing or reordering frames", async () => {
    remote.pause();
    const transport = createStreamTransport(local);
    record(transport);
    const chunk = new Uint8Array(512 * 1024);
    const count = 32; // 16 MiB: more than the socket buffers take at once
    for (let i = 0; i < count; i++) {
      chunk[0] = i;
      transport.send(chunk.slice());
      await Promise.resolve();
    }
    const received = remoteFrames();
    remote.resume();
    await vi.waitFor(() => expect(received).toHaveLength(count), { timeout: 5000 });
    expect(received.map((f) => f[0])).toEqual([...Array(count).keys()]);
  });

  it("fails with the decoder's ProtocolError on a 4 GiB length prefix", async () => {
    const got = record(createStreamTransport(local));
    remote.write(bytes(0xff, 0xff, 0xff, 0xff, 1, 2, 3));
    await got.closed;
    expect(got.error).toBeInstanceOf(ProtocolError);
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_FRAME_TOO_LARGE");
    expect(got.frames).toHaveLength(0);
  });

  it("delivers the frames before an oversize prefix in the same chunk, then fails", async () => {
    const got = record(createStreamTransport(local));
    remote.write(
      new Uint8Array([...framed(bytes(1)), ...framed(bytes(2)), 0xff, 0xff, 0xff, 0xff]),
    );
    await got.closed;
    expect(got.frames.map((f) => [...f])).toEqual([[1], [2]]);
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_FRAME_TOO_LARGE");
  });

  it("honours a smaller maxFrameBytes", async () => {
    const got = record(createStreamTransport(local, { limits: { maxFrameBytes: 8 } }));
    remote.write(framed(new Uint8Array(9)));
    await got.closed;
    expect((got.error as ProtocolError).code).toBe("RPYC_ERR_FRAME_TOO_LARGE");
  });

  it("reports a frame cut off by the end of the stream", async () => {
    const got = record(createStreamTransport(local));
    remote.end(framed(new Uint8Array(100)).subarray(0, 50));
    await got.closed;
    expect((got.error as TransportError).code).toBe("RPYC_ERR_TRUNCATED_FRAME");
  });

  it("close() flushes queued frames, ends the stream and calls onClose once", async () => {
    const transport = createStreamTransport(local);
    const got = record(transport);
    const received = remoteFrames();
    const ended = once(remote, "end");
    transport.send(bytes(1));
    transport.send(bytes(2));
    transport.close();
    transport.close();
    expect(transport.closed).toBe(true);
    transport.send(bytes(3)); // ignored after close
    await ended;
    expect(received.map((f) => [...f])).toEqual([[1], [2]]);
    await got.closed;
    expect(got.closes).toBe(1);
    expect(got.error).toBeUndefined();
    expect(local.destroyed).toBe(true);
  });

  it("calls onClose without error when the peer closes cleanly", async () => {
    const transport = createStreamTransport(local);
    const got = record(transport);
    remote.end();
    await got.closed;
    expect(got.error).toBeUndefined();
    expect(transport.closed).toBe(true);
  });

  it("reports a socket error as RPYC_ERR_TRANSPORT", async () => {
    const got = record(createStreamTransport(local));
    remote.resetAndDestroy();
    await got.closed;
    expect(got.error).toBeInstanceOf(TransportError);
    expect((got.error as TransportError).code).toBe("RPYC_ERR_TRANSPORT");
    expect((got.error as TransportError).cause).toBeInstanceOf(Error);
  });
});
