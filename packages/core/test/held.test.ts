/**
 * Held results (`Request.hold`, `Held`, `Op.Take`, `Forget`): a pipelined intermediate nobody
 * asked for stays with the peer instead of crossing as a netref, and can still be awaited later.
 */
import { describe, expect, it, vi } from "vitest";
import { Service, connectPair, isNetref, release, withOptions } from "@rpyc/core";
import { MessageKind, Op, ROOT_ID, RefKind, WireRef } from "@rpyc/protocol";
import { finish, memoryPair } from "./harness.ts";
import { RawPeer } from "./raw-peer.ts";

class Step {
  readonly #value: number;
  constructor(value: number) {
    this.#value = value;
  }
  get value() {
    return this.#value;
  }
  next() {
    return new Step(this.#value + 1);
  }
  async nextLater() {
    await Promise.resolve();
    return new Step(this.#value + 1);
  }
}

class Chain extends Service {
  make(start: number) {
    return new Step(start);
  }
  count() {
    return 7;
  }
}

const yours = (id: number) => new WireRef(RefKind.Yours, id);

describe("held results", () => {
  it("a pipelined chain leaves its intermediates with the server, not as netrefs", async () => {
    const [client, server] = await connectPair({}, { service: Chain });
    expect(await client.root.make(1).next().next().value).toBe(3);
    // make() and both next() were answered Held: nothing was exported or imported.
    expect(server.stats()).toMatchObject({ exported: 0, held: 3 });
    expect(client.stats()).toMatchObject({ imported: 0, heldByPeer: 3 });
    // Dropped remote promises are collected; their held results are forgotten.
    await finish(client, server);
  });

  it("an asynchronous intermediate is held too", async () => {
    const [client, server] = await connectPair({}, { service: Chain });
    expect(await client.root.make(1).nextLater().value).toBe(2);
    expect(server.stats()).toMatchObject({ exported: 0, held: 2 });
    await finish(client, server);
  });

  it("awaiting an intermediate later fetches it (one more request), once", async () => {
    const [client, server] = await connectPair({}, { service: Chain });
    const step = client.root.make(1);
    expect(await step.next().value).toBe(2);
    expect(server.stats().held).toBe(2);
    const first = await step;
    expect(isNetref(first)).toBe(true);
    expect(await first.value).toBe(1);
    expect(await step).toBe(first); // memoized: no second Take
    expect(server.stats()).toMatchObject({ held: 1, exported: 1 });
    release(first);
    await finish(client, server);
  });

  it("a promise awaited after its request left but before Held arrived is fetched at once", async () => {
    const { client, server, serverEnd } = await memoryPair({}, { service: Chain });
    serverEnd.hold();
    const step = client.root.make(5);
    const value = step.next().value.then((v: number) => v);
    await vi.waitFor(() => expect(serverEnd.held).toBe(3)); // Held, Held, Reply: not delivered
    const fetched = step.then((s: unknown) => s); // asked for after the request left with hold
    serverEnd.resume();
    expect(await value).toBe(6);
    const first = await fetched;
    expect(await first.value).toBe(5);
    release(first);
    await finish(client, server);
  });

  it("a Held for a call cancelled meanwhile is forgotten", async () => {
    const { client, server, serverEnd } = await memoryPair({}, { service: Chain });
    const abort = new AbortController();
    serverEnd.hold();
    const step = withOptions(client.root, { signal: abort.signal }).make(1);
    const value = step.next().value;
    const outcome = Promise.resolve(value).catch((err: Error) => err.name);
    await vi.waitFor(() => expect(serverEnd.held).toBe(3));
    abort.abort();
    expect(await outcome).toBe("AbortError");
    serverEnd.resume();
    await vi.waitFor(() => expect(server.stats().held).toBe(0));
    await finish(client, server);
  });

  it("over maxHeldResults the server replies as usual", async () => {
    const [client, server] = await connectPair(
      {},
      { service: Chain, config: { maxHeldResults: 0 } },
    );
    const step = client.root.make(1);
    expect(await step.next().value).toBe(2);
    expect(server.stats().held).toBe(0);
    const first = await step; // arrived by Reply: no Take needed
    expect(await first.value).toBe(1);
    release(first);
    await finish(client, server);
  });

  it("a primitive result is replied even when hold is asked", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Chain });
    peer.request(1, {
      name: "count",
      pin: 1,
      hold: 1,
    });
    peer.request(2, {
      op: Op.Get,
      target: new WireRef(RefKind.Pending, 1),
      name: "toFixed",
    });
    expect(await peer.next(MessageKind.Reply)).toMatchObject({ seq: 1, value: 7 });
    expect(conn.stats().held).toBe(0);
    await conn.close();
  });

  it("hostile Take and Forget: unknown seqs are refused or ignored, the connection stays up", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Chain });
    peer.send({ kind: MessageKind.Forget, seqs: [1, 2, 3] }); // nothing held: ignored
    peer.request(1, {
      op: Op.Take,
      target: new WireRef(RefKind.Pending, 42),
    });
    expect(await peer.next(MessageKind.Error)).toMatchObject({
      seq: 1,
      error: { code: "RPYC_ERR_UNKNOWN_REF" },
    });
    peer.send({ kind: MessageKind.Request, seq: 2, op: Op.Take, target: yours(ROOT_ID) });
    expect(await peer.next(MessageKind.Error)).toMatchObject({
      seq: 2,
      error: { code: "RPYC_ERR_UNKNOWN_REF" },
    });
    // A real hold, taken once: the second Take of the same seq is refused.
    peer.request(3, {
      name: "make",
      args: [1],
      hold: 1,
    });
    expect(await peer.next(MessageKind.Held)).toEqual({ kind: MessageKind.Held, seq: 3 });
    expect(conn.stats().held).toBe(1);
    for (const seq of [4, 5])
      peer.request(seq, {
        op: Op.Take,
        target: new WireRef(RefKind.Pending, 3),
      });
    const taken = await peer.next(MessageKind.Reply);
    expect(taken.seq).toBe(4);
    expect(taken.value).toBeInstanceOf(WireRef);
    expect((await peer.next(MessageKind.Error)).seq).toBe(5);
    expect(conn.stats()).toMatchObject({ held: 0, exported: 1 });
    expect(conn.closed).toBe(false);
    await conn.close();
  });

  it("bounds what a peer can make this side hold (maxHeldResults)", async () => {
    const { peer, conn } = await RawPeer.connect({
      service: Chain,
      config: { maxHeldResults: 2 },
    });
    for (const seq of [1, 2, 3]) {
      peer.request(seq, {
        name: "make",
        args: [seq],
        hold: 1,
      });
    }
    expect((await peer.next(MessageKind.Held)).seq).toBe(1);
    expect((await peer.next(MessageKind.Held)).seq).toBe(2);
    expect((await peer.next(MessageKind.Reply)).seq).toBe(3);
    peer.send({ kind: MessageKind.Forget, seqs: [1, 2] });
    await vi.waitFor(() => expect(conn.stats().held).toBe(0));
    await conn.close();
  });
});
