/**
 * Each side announces every limit in its Hello, and the other fits what it sends to them:
 * batched messages (Release, Forget) are split, calls over a limit fail locally instead of
 * getting the connection closed, and no send error is dropped.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, MessageKind } from "@rpyc/protocol";
import { Service, release } from "@rpyc/core";
import { RawPeer } from "./raw-peer.ts";
import { finish, memoryPair } from "./harness.ts";

class Item {
  constructor(readonly n: number) {}
  get value() {
    return this.n;
  }
}

class Factory extends Service {
  make(count: number) {
    return Array.from({ length: count }, (_, i) => new Item(i));
  }
  count(values: unknown[]) {
    return values.length;
  }
}

describe("limits announced in the Hello", () => {
  it("announces every limit", async () => {
    const limits = { ...DEFAULT_LIMITS, maxArrayLength: 1000, maxItems: 5000 };
    const { peer, conn } = await RawPeer.connect({ config: { limits } });
    const hello = peer.received.find((m) => m.kind === MessageKind.Hello);
    expect(hello).toMatchObject({ limits });
    await conn.close();
  });

  it("1,800 netrefs released in one tick to a peer of maxArrayLength 1000: split, not closed", async () => {
    const { client, server } = await memoryPair<Factory>(
      {},
      { service: Factory, config: { limits: { maxArrayLength: 1000 } } },
    );
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    server.on("error", (e) => errors.push(e));
    // Two replies of 900 (each within the server's own limit), then one tick of releases.
    const items = [...(await client.root.make(900)), ...(await client.root.make(900))];
    expect(server.stats().exported).toBe(1800);
    for (const item of items) release(item);
    expect(await client.root.count([1, 2, 3])).toBe(3);
    expect(client.closed).toBe(false);
    expect(server.stats().exported).toBe(0);
    expect(errors).toEqual([]);
    await finish(client, server);
  });

  it("a call over the peer's announced limit fails locally; the connection stays", async () => {
    const { client, server } = await memoryPair<Factory>(
      {},
      { service: Factory, config: { limits: { maxArrayLength: 100 } } },
    );
    const error: unknown = await client.root.count(Array.from({ length: 101 }, (_, i) => i)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: "RPYC_ERR_UNSUPPORTED_VALUE",
      message: expect.stringMatching(/over maxArrayLength, 100/),
    });
    expect(await client.root.count(Array.from({ length: 100 }, (_, i) => i))).toBe(100);
    expect(client.closed).toBe(false);
    await finish(client, server);
  });
});
