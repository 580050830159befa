import { describe, expect, it, vi } from "vitest";
import { MessageKind, Op, ROOT_ID, RefKind, WireRef, encodeMessage } from "@rpyc/protocol";
import { Service, byRef, connectPair } from "@rpyc/core";
import { RawPeer } from "./raw-peer.ts";
import { finish } from "./harness.ts";

class Target extends Service {
  obj = byRef({ n: 1 });
  add(a: number, b: number) {
    return a + b;
  }
  give() {
    return this.obj;
  }
  wait() {
    return new Promise(() => undefined);
  }
}

const yours = (id: number) => new WireRef(RefKind.Yours, id);

describe("hostile input", () => {
  it("answers a well-formed request (the raw peer works)", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    peer.request(1, {
      name: "add",
      args: [2, 3],
    });
    expect(await peer.next(MessageKind.Reply)).toMatchObject({ seq: 1, value: 5 });
    await conn.close();
  });

  it("garbage bytes: a coded Close, never a crash; other connections keep working", async () => {
    const shared = new Target();
    const [c2, s2] = await connectPair({}, { service: shared });
    const { peer, conn } = await RawPeer.connect({ service: shared });
    const closed = new Promise<Error | undefined>((resolve) => conn.on("close", resolve));
    peer.sendBytes(new Uint8Array([0xff, 0x00, 0x13, 0x37, 0xde, 0xad]));
    const close = await peer.next(MessageKind.Close);
    expect(close.code).toBe("RPYC_ERR_MALFORMED");
    expect((await closed)?.message).toMatch(/malformed/);
    expect(conn.closed).toBe(true);
    await vi.waitFor(() => expect(peer.closed).toBe(true));
    expect(await c2.root.add(1, 1)).toBe(2);
    await finish(c2, s2);
  });

  it("an unknown operation closes with a coded Close", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    peer.request(1, {
      op: 99 as Op,
      name: "add",
      args: [],
    });
    expect((await peer.next(MessageKind.Close)).code).toMatch(/^RPYC_ERR_/);
    expect(conn.closed).toBe(true);
  });

  it("an unknown reference id gets an Error reply; the connection stays usable", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    peer.request(1, {
      target: yours(999),
      name: "add",
      args: [],
    });
    const error = await peer.next(MessageKind.Error);
    expect(error.seq).toBe(1);
    expect(error.error.code).toBe("RPYC_ERR_UNKNOWN_REF");
    peer.request(2, {
      name: "add",
      args: [1, 1],
    });
    expect(await peer.next(MessageKind.Reply)).toMatchObject({ seq: 2, value: 2 });
    // An unknown pipelined result, and an unknown ref inside the arguments.
    peer.request(3, {
      op: Op.Get,
      target: new WireRef(RefKind.Pending, 77),
      name: "x",
    });
    expect((await peer.next(MessageKind.Error)).error.code).toBe("RPYC_ERR_UNKNOWN_REF");
    peer.request(4, {
      name: "add",
      args: [yours(555), 1],
    });
    expect((await peer.next(MessageKind.Error)).error.code).toBe("RPYC_ERR_UNKNOWN_REF");
    expect(conn.closed).toBe(false);
    await conn.close();
  });

  it("a release of more than was held is refused with a coded error; the table is unchanged", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    peer.request(1, {
      name: "give",
      args: [],
    });
    const reply = await peer.next(MessageKind.Reply);
    const ref = reply.value as WireRef;
    expect(ref.kind).toBe(RefKind.Mine);
    expect(conn.stats().exported).toBe(1);
    const errors: Error[] = [];
    conn.on("error", (e) => errors.push(e));
    peer.send({ kind: MessageKind.Release, ids: [ref.id], counts: [5] });
    const error = await peer.next(MessageKind.Error);
    expect(error.seq).toBe(-1);
    expect(error.error.code).toBe("RPYC_ERR_OVER_RELEASE");
    expect(conn.stats().exported).toBe(1);
    // Two bad ids in one Release: ONE error (the first one's code), naming both.
    peer.send({ kind: MessageKind.Release, ids: [ROOT_ID, 4242], counts: [1, 1] });
    const both = await peer.next(MessageKind.Error);
    expect(both.error.code).toBe("RPYC_ERR_OVER_RELEASE");
    expect(both.error.message).toMatch(/^2 of the 2 releases .*service root/);
    peer.send({ kind: MessageKind.Ping, seq: 9 }); // its Pong: the Release was handled before
    await peer.next(MessageKind.Pong);
    expect(peer.received.filter((m) => m.kind === MessageKind.Error)).toHaveLength(2);
    peer.send({ kind: MessageKind.Release, ids: [ref.id], counts: [1] });
    await vi.waitFor(() => expect(conn.stats().exported).toBe(0));
    expect(conn.closed).toBe(false);
    await conn.close();
  });

  it("an oversize frame closes the connection with a coded Close", async () => {
    const { peer, conn } = await RawPeer.connect({
      service: Target,
      config: { limits: { maxFrameBytes: 1024 } },
    });
    peer.request(1, {
      name: "add",
      args: ["x".repeat(4096), 1],
    });
    const close = await peer.next(MessageKind.Close);
    expect(close.code).toBe("RPYC_ERR_FRAME_TOO_LARGE");
    expect(conn.closed).toBe(true);
  });

  it("anything before Hello closes the connection", async () => {
    const { createMemoryTransportPair } = await import("@rpyc/core/testing");
    const { connectTransport } = await import("@rpyc/core");
    const [mine, theirs] = createMemoryTransportPair();
    const peer = new RawPeer(mine);
    peer.send({ kind: MessageKind.Ping, seq: 1 });
    await expect(connectTransport(theirs)).rejects.toMatchObject({ code: "RPYC_ERR_MALFORMED" });
    expect((await peer.next(MessageKind.Close)).code).toBe("RPYC_ERR_MALFORMED");
  });

  it("bounds concurrent incoming requests (maxPendingRequests)", async () => {
    const { peer, conn } = await RawPeer.connect({
      service: Target,
      config: { maxPendingRequests: 2 },
    });
    for (const seq of [1, 2, 3]) {
      peer.request(seq, {
        name: "wait",
        args: [],
      });
    }
    const error = await peer.next(MessageKind.Error);
    expect(error).toMatchObject({ seq: 3, error: { code: "RPYC_ERR_TOO_MANY_REQUESTS" } });
    // Cancelling frees the slots (each cancel is answered with an Error).
    peer.send({ kind: MessageKind.Cancel, seq: 1 });
    expect(await peer.next(MessageKind.Error)).toMatchObject({
      seq: 1,
      error: { code: "RPYC_ERR_ABORTED" },
    });
    peer.request(4, {
      name: "add",
      args: [1, 2],
    });
    expect(await peer.next(MessageKind.Reply)).toMatchObject({ seq: 4, value: 3 });
    await conn.close();
  });

  it("bounds the pipelined results a peer can make this side hold", async () => {
    const { peer, conn } = await RawPeer.connect({
      service: Target,
      config: { maxPendingRequests: 3 },
    });
    for (const seq of [1, 2, 3, 4]) {
      peer.request(seq, {
        name: "add",
        args: [1, 1],
        pin: 1_000_000,
      });
    }
    for (const seq of [1, 2, 3])
      expect(await peer.next(MessageKind.Reply)).toMatchObject({ seq, value: 2 });
    expect(await peer.next(MessageKind.Error)).toMatchObject({
      seq: 4,
      error: { code: "RPYC_ERR_TOO_MANY_REQUESTS" },
    });
    await conn.close();
  });

  it("a reply nobody waits for is dropped, and the refs it carries are released", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    peer.send({
      kind: MessageKind.Reply,
      seq: 12345,
      value: [new WireRef(RefKind.Mine, 7), { x: new WireRef(RefKind.Mine, 8) }],
    });
    const release = await peer.next(MessageKind.Release);
    expect([...release.ids].sort()).toEqual([7, 8]);
    expect(release.counts).toEqual([1, 1]);
    expect(conn.stats().imported).toBe(0);
    await conn.close();
  });

  it("a request whose target is one of the peer's own objects (Mine) is malformed: closed", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    peer.request(1, {
      op: Op.Get,
      target: new WireRef(RefKind.Mine, 1),
      name: "x",
    });
    expect((await peer.next(MessageKind.Close)).code).toBe("RPYC_ERR_MALFORMED");
    expect(conn.closed).toBe(true);
  });

  it("frames after close are ignored (no crash)", async () => {
    const { peer, conn } = await RawPeer.connect({ service: Target });
    await conn.close();
    peer.sendBytes(encodeMessage({ kind: MessageKind.Ping, seq: 1 }));
    expect(conn.closed).toBe(true);
  });
});
