/**
 * The MessagePort transport on Node's MessageChannel (the browser's API): a call and a callback
 * with both tables back to baseline, the goodbye closing the peer, and hostile port messages
 * (not a frame, an oversize frame) refused with coded errors. The conformance suite runs over
 * it too (packages/tests, in Node and in chromium with a worker).
 */
import { describe, expect, it } from "vitest";
import { MessageChannel } from "node:worker_threads";
import {
  CLOSE_MESSAGE,
  connectPort,
  createMessagePortTransport,
  release,
  Service,
  type Connection,
  type PortLike,
} from "../src/index.ts";

const BASELINE = { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 };

class MathService extends Service {
  add(a: number, b: number): number {
    return a + b;
  }
  async twice(fn: (x: number) => number, x: number): Promise<number> {
    try {
      return (await fn(x)) + (await fn(x));
    } finally {
      release(fn);
    }
  }
}

function channel(): [PortLike, PortLike] {
  const { port1, port2 } = new MessageChannel();
  return [port1 as unknown as PortLike, port2 as unknown as PortLike];
}

function closed(conn: Connection): Promise<Error | undefined> {
  return new Promise((resolve) => conn.on("close", (error) => resolve(error)));
}

describe("MessagePort transport", () => {
  it("calls and calls back; closing one end closes the other", async () => {
    const [a, b] = channel();
    const serverSide = connectPort(b, { service: MathService });
    const client = await connectPort(a);
    const server = await serverSide;
    expect(await client.root.add(2, 3)).toBe(5);
    expect(await client.root.twice((x: number) => x * 10, 2)).toBe(40);
    await client.ping();
    expect(client.stats()).toEqual(BASELINE);
    expect(server.stats()).toEqual(BASELINE);
    const serverClosed = closed(server);
    await client.close();
    expect(await serverClosed).toBeUndefined();
    expect(server.closed).toBe(true);
  });

  it("refuses a message that is not a frame, and an oversize frame, with coded errors", async () => {
    for (const [hostile, code] of [
      ["hello", "RPYC_ERR_PROTOCOL"],
      [new Uint8Array(2048), "RPYC_ERR_FRAME_TOO_LARGE"],
    ] as const) {
      const [a, b] = channel();
      const serverSide = connectPort(b, { service: MathService, maxFrameBytes: 1024 });
      const client = await connectPort(a);
      const server = await serverSide;
      const serverClosed = closed(server);
      // The client's port posts what no rpyc-ts peer would send.
      (a as unknown as { postMessage(m: unknown): void }).postMessage(hostile);
      expect(await serverClosed).toMatchObject({ code });
      await client.close();
    }
  });

  it("keeps frames that arrive before the connection starts, and sees the goodbye", async () => {
    const [a, b] = channel();
    const transport = createMessagePortTransport(b);
    const frames: Uint8Array[] = [];
    const ends: (Error | undefined)[] = [];
    a.postMessage(Uint8Array.of(0x80), []);
    a.postMessage(CLOSE_MESSAGE, []);
    await new Promise<void>((resolve) => {
      transport.start({
        onFrame: (frame) => frames.push(frame),
        onClose: (error) => {
          ends.push(error);
          resolve();
        },
      });
    });
    expect(frames).toEqual([Uint8Array.of(0x80)]);
    expect(ends).toEqual([undefined]);
    expect(transport.closed).toBe(true);
    (a as unknown as { close(): void }).close();
  });
});
