/**
 * What a Connection puts on the wire, read by a raw peer: pipelining pins, one CallAttr per
 * method call, batched releases carrying counts, cancels after timeouts.
 */
import { describe, expect, it } from "vitest";
import { MessageKind, Op, ROOT_ID, RefKind, WireRef } from "@rpyc/protocol";
import { ConnectionClosedError, TimeoutError, release, withOptions } from "@rpyc/core";
import { RawPeer } from "./raw-peer.ts";

describe("on the wire", () => {
  it("a method call is one CallAttr; a chain is pinned requests on Pending targets", async () => {
    const { peer, conn } = await RawPeer.connect();
    const root = conn.root as any;
    const call = Promise.resolve(root.add(1, 2));
    const first = await peer.next(MessageKind.Request);
    expect(first).toMatchObject({
      op: Op.CallAttr,
      name: "add",
      args: [1, 2],
      target: { kind: RefKind.Yours, id: ROOT_ID },
    });
    expect(first.pin).toBeUndefined();
    peer.send({ kind: MessageKind.Reply, seq: first.seq, value: 3 });
    expect(await call).toBe(3);

    const chained = Promise.resolve(root.users.get("ann").name);
    const users = await peer.next(MessageKind.Request);
    const get = await peer.next(MessageKind.Request);
    const name = await peer.next(MessageKind.Request);
    expect(users).toMatchObject({ op: Op.Get, name: "users", pin: 1 });
    expect(get).toMatchObject({
      op: Op.CallAttr,
      name: "get",
      args: ["ann"],
      pin: 1,
      target: { kind: RefKind.Pending, id: users.seq },
    });
    expect(name).toMatchObject({
      op: Op.Get,
      name: "name",
      target: { kind: RefKind.Pending, id: get.seq },
    });
    expect(name.pin).toBeUndefined();
    peer.send({ kind: MessageKind.Reply, seq: users.seq, value: null });
    peer.send({ kind: MessageKind.Reply, seq: get.seq, value: null });
    peer.send({ kind: MessageKind.Reply, seq: name.seq, value: "Ann" });
    expect(await chained).toBe("Ann");
    await conn.close();
  });

  it("releases are batched and carry the number of times each object was received", async () => {
    const { peer, conn } = await RawPeer.connect();
    const root = conn.root as any;
    const a = Promise.resolve(root.get());
    const b = Promise.resolve(root.get());
    const c = Promise.resolve(root.other());
    const requests = [
      await peer.next(MessageKind.Request),
      await peer.next(MessageKind.Request),
      await peer.next(MessageKind.Request),
    ];
    peer.send({
      kind: MessageKind.Reply,
      seq: requests[0]!.seq,
      value: new WireRef(RefKind.Mine, 5),
    });
    peer.send({
      kind: MessageKind.Reply,
      seq: requests[1]!.seq,
      value: new WireRef(RefKind.Mine, 5),
    });
    peer.send({
      kind: MessageKind.Reply,
      seq: requests[2]!.seq,
      value: new WireRef(RefKind.Mine, 6),
    });
    const [refA, refB, refC] = await Promise.all([a, b, c]);
    expect(refA).toBe(refB); // same id, same proxy
    expect(conn.stats().imported).toBe(2);
    release(refA);
    release(refC);
    const message = await peer.next(MessageKind.Release);
    expect(message.ids).toEqual([5, 6]);
    expect(message.counts).toEqual([2, 1]);
    expect(conn.stats().imported).toBe(0);
    await conn.close();
  });

  it("a timeout sends Cancel; a late reply is dropped and the refs it carries released", async () => {
    const { peer, conn } = await RawPeer.connect();
    const slow = withOptions(conn.root as any, { timeout: 20 });
    const call = Promise.resolve(slow.work()).catch((e: unknown) => e); // observed at once
    const request = await peer.next(MessageKind.Request);
    expect(await call).toBeInstanceOf(TimeoutError);
    expect(await peer.next(MessageKind.Cancel)).toMatchObject({ seq: request.seq });
    peer.send({ kind: MessageKind.Reply, seq: request.seq, value: new WireRef(RefKind.Mine, 9) });
    expect(await peer.next(MessageKind.Release)).toMatchObject({ ids: [9], counts: [1] });
    expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 });
    await conn.close();
  });

  it("close sends Close and rejects what is pending", async () => {
    const { peer, conn } = await RawPeer.connect();
    const pending = Promise.resolve((conn.root as any).work()).catch((e: unknown) => e);
    await peer.next(MessageKind.Request);
    await conn.close();
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    expect(await peer.next(MessageKind.Close)).toMatchObject({ kind: MessageKind.Close });
  });
});
