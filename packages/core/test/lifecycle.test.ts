import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  HandshakeError,
  Service,
  TimeoutError,
  connectPair,
  connectTransport,
  release,
  withOptions,
  type Connection,
} from "@rpyc/core";
import { createMemoryTransportPair } from "@rpyc/core/testing";
import { finish, memoryPair } from "./harness.ts";

class Things extends Service {
  make() {
    return new (class Thing {
      ping() {
        return "pong";
      }
    })();
  }
  hang() {
    return new Promise(() => undefined);
  }
}

// Live timers created by the code under test (unref'd ones included, which Node's
// getActiveResourcesInfo() would not list): a spy on setTimeout/clearTimeout.
const live = new Set<unknown>();
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const timers = () => live.size;
beforeEach(() => {
  live.clear();
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((
    fn: (...a: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    const timer = realSetTimeout(() => {
      live.delete(timer);
      fn(...args);
    }, ms);
    live.add(timer);
    return timer;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation(((
    timer: ReturnType<typeof setTimeout>,
  ) => {
    live.delete(timer);
    realClearTimeout(timer);
  }) as typeof clearTimeout);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("time and lifecycle", () => {
  it("close() leaves no timer behind, even with calls pending", async () => {
    const before = timers();
    const [client, server] = await connectPair({}, { service: Things });
    const pending = [
      client.root.hang(),
      withOptions(client.root, { timeout: 60_000 }).hang(),
      client.ping(),
    ];
    await Promise.resolve();
    expect(timers()).toBeGreaterThan(before);
    await client.close();
    await Promise.allSettled(pending);
    await expect.poll(() => server.closed).toBe(true);
    expect(timers()).toBe(before);
  });

  it("a call pipelined on one that times out fails with the same TimeoutError, at once", async () => {
    const [client, server] = await connectPair({}, { service: Things });
    const slow = withOptions(client.root, { timeout: 20 });
    const hung = slow.hang();
    const dependent = (hung as unknown as { anything(): Promise<unknown> }).anything(); // pipelined
    // (vitest's expect(p).rejects calls a function-like p: the same shape as `dependent`)
    const [first, second] = await Promise.all([
      Promise.resolve(hung).catch((err: unknown) => err),
      Promise.resolve(dependent).catch((err: unknown) => err),
    ]);
    expect(first).toBeInstanceOf(TimeoutError);
    expect(second).toBe(first);
    await finish(client, server);
  });

  it("sequential calls share one timeout timer", async () => {
    const [client, server] = await connectPair({}, { service: Things });
    for (let i = 0; i < 20; i++) await client.root.make().ping();
    expect(timers()).toBeLessThanOrEqual(1);
    await finish(client, server);
    expect(timers()).toBe(0);
  });

  it("fails the handshake with HandshakeError when no Hello comes in time", async () => {
    const before = timers();
    const [a, b] = createMemoryTransportPair();
    b.start({ onFrame: () => undefined, onClose: () => undefined }); // a peer that never speaks
    const error = await connectTransport(a, { config: { timeout: 30 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe("RPYC_ERR_HANDSHAKE");
    expect(timers()).toBe(before);
  });

  it("a throwing onConnect fails the connect and closes the connection", async () => {
    class Grumpy extends Service {
      override onConnect() {
        throw new Error("not today");
      }
    }
    let closed: Connection | undefined;
    const [a, b] = createMemoryTransportPair();
    const client = connectTransport(a);
    await expect(connectTransport(b, { service: Grumpy })).rejects.toThrow("not today");
    const conn = await client.catch(() => undefined);
    if (conn !== undefined) {
      closed = conn;
      await expect.poll(() => closed!.closed).toBe(true);
    }
  });

  it("batches releases: one Release message per tick", async () => {
    const { client, server, clientEnd } = await memoryPair({}, { service: Things });
    const things = await Promise.all([client.root.make(), client.root.make(), client.root.make()]);
    expect(server.stats().exported).toBe(3);
    const sent = clientEnd.sentFrames;
    for (const thing of things) release(thing);
    await expect.poll(() => server.stats().exported).toBe(0);
    expect(clientEnd.sentFrames - sent).toBe(1);
    await finish(client, server);
  });

  it("withOptions views share the netref: releasing one releases all", async () => {
    const [client, server] = await connectPair({}, { service: Things });
    const thing = await client.root.make();
    const fast = withOptions(thing, { timeout: 1000 });
    expect(await fast.ping()).toBe("pong");
    release(fast);
    await expect(thing.ping()).rejects.toMatchObject({ code: "RPYC_ERR_NETREF_RELEASED" });
    await finish(client, server);
  });

  it("util.inspect shows a description, not the session", async () => {
    const [client, server] = await connectPair({}, { service: Things });
    const thing = await client.root.make();
    expect(inspect(thing)).toContain("<netref #");
    expect(inspect(thing)).not.toContain("RefSession");
    expect(inspect(client.root.make)).toContain("[RemotePromise .make]");
    release(thing);
    expect(String(thing)).toMatch(/\(released\)/);
    await finish(client, server);
  });
});
