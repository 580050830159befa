import { describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionClosedError,
  Service,
  TimeoutError,
  VoidService,
  byRef,
  connectPair,
  connectTransport,
  currentCall,
  release,
  withOptions,
  type Connection,
  type Remote,
} from "@rpyc/core";
import { createMemoryTransportPair } from "@rpyc/core/testing";
import { expectBaseline, finish, memoryPair } from "./harness.ts";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

class EchoService extends Service {
  static override aliases = ["PARROT"];
  echo(x: unknown) {
    return x;
  }
  add(a: number, b: number) {
    return a + b;
  }
  async down(n: number, cb: (n: number) => Promise<number>): Promise<number> {
    return n === 0 ? 0 : 1 + (await cb(n - 1));
  }
  makeAdder(n: number) {
    return (x: number) => x + n;
  }
  callTwice(cb: (x: number) => Promise<number>) {
    return Promise.all([cb(1), cb(2)]);
  }
}

describe("connectPair and calls", () => {
  it("runs the README example: one call, stats, close", async () => {
    const [client, server] = await connectPair(
      { service: new VoidService() },
      { service: EchoService },
    );
    expect(await client.root.add(2, 3)).toBe(5);
    expect(client.stats()).toEqual({
      exported: 0,
      imported: 0,
      pending: 0,
      held: 0,
      heldByPeer: 0,
    });
    await finish(client, server);
  });

  it("sends one CallAttr frame per method call (one round trip)", async () => {
    const { client, server, clientEnd, serverEnd } = await memoryPair({}, { service: EchoService });
    const before = [clientEnd.sentFrames, serverEnd.sentFrames];
    expect(await client.root.add(1, 2)).toBe(3);
    expect([clientEnd.sentFrames - before[0]!, serverEnd.sentFrames - before[1]!]).toEqual([1, 1]);
    await finish(client, server);
  });

  it("exchanges service names and aliases in the handshake", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    expect(client.peerService).toBe("ECHO");
    expect(client.peerAliases).toEqual(["PARROT"]);
    expect(server.peerService).toBe("VOID"); // the default local service
    expect(client.peerVersion).toMatch(/^\d+\.\d+\.\d+/);
    await finish(client, server);
  });

  it("names services like RPyC (EchoService → ECHO, VoidService → VOID)", async () => {
    const [client, server] = await connectPair(
      { service: VoidService },
      { service: new EchoService() },
    );
    expect(server.peerService).toBe("VOID");
    expect(client.peerService).toBe("ECHO");
    await finish(client, server);
  });

  it("round-trips data by value", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    const value = {
      n: -0,
      big: 2n ** 70n,
      u: undefined,
      nan: Number.NaN,
      date: new Date(0),
      re: /a+b/gi,
      map: new Map<unknown, unknown>([
        [1, "one"],
        ["k", [1, 2]],
      ]),
      set: new Set([1, "two"]),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([1.5, -2]),
      nested: [{ deep: [[["x"]]] }],
    };
    const back = (await client.root.echo(value)) as typeof value;
    expect(back).toEqual(value);
    expect(Object.is(back.n, -0)).toBe(true);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(back.floats).toBeInstanceOf(Float64Array);
    await finish(client, server);
  });

  it("keeps identity of an object sent twice in one message; refuses cycles clearly", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    const shared = { n: 1 };
    const back = (await client.root.echo([shared, shared, { inner: shared }])) as [
      object,
      object,
      { inner: object },
    ];
    expect(back[0]).toBe(back[1]);
    expect(back[2].inner).toBe(back[0]);
    expect(back[0]).not.toBe(shared); // a copy
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    await expect(client.root.echo(cyclic)).rejects.toMatchObject({ code: "RPYC_ERR_BOXING" });
    expect(await client.root.add(1, 1)).toBe(2);
    await finish(client, server);
  });

  it("refuses values nested too deep before sending them; the connection stays usable", async () => {
    const { client, server, clientEnd } = await memoryPair({}, { service: EchoService });
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    const sent = clientEnd.sentFrames;
    const error = (await client.root.echo(deep).catch((e: unknown) => e)) as { code?: string };
    expect(["RPYC_ERR_BOXING", "RPYC_ERR_UNSUPPORTED_VALUE"]).toContain(error.code);
    expect(clientEnd.sentFrames).toBe(sent);
    expect(await client.root.add(1, 1)).toBe(2);
    await finish(client, server);
  });

  it("calls back into the client (functions go by reference)", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    const seen: number[] = [];
    const result = await client.root.callTwice((x: number) => {
      seen.push(x);
      return x * 10;
    });
    expect(result).toEqual([10, 20]);
    expect(seen.sort()).toEqual([1, 2]);
    await finish(client, server);
  });

  it("re-enters callbacks to depth 20 (client → server → client → …)", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    const root = client.root as Remote<EchoService>;
    const cb = async (n: number): Promise<number> =>
      n === 0 ? 0 : 1 + (await root.down(n - 1, cb));
    expect(await root.down(20, cb)).toBe(20);
    await finish(client, server);
  });

  it("handles 10,000 concurrent calls", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    const results = await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => client.root.add(i, 1)),
    );
    expect(results.every((r, i) => r === i + 1)).toBe(true);
    await finish(client, server);
  });

  it("answers ping", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    expect(await client.ping(new Uint8Array([1, 2]))).toBeGreaterThanOrEqual(0);
    await finish(client, server);
  });
});

describe("lifecycle", () => {
  it("runs onConnect with this.connection set, and onDisconnect on close", async () => {
    const events: string[] = [];
    class Hooked extends Service {
      override onConnect(conn: Connection) {
        events.push(`connect:${conn === this.connection}`);
      }
      override onDisconnect(conn: Connection) {
        events.push(`disconnect:${conn.closed}`);
      }
    }
    const [client, server] = await connectPair({}, { service: Hooked });
    expect(events).toEqual(["connect:true"]);
    const closed = new Promise<Error | undefined>((resolve) => server.on("close", resolve));
    await client.close();
    expect(await closed).toBeUndefined();
    expect(events).toEqual(["connect:true", "disconnect:true"]);
    await client.close(); // idempotent
    expect(server.stats()).toEqual({
      exported: 0,
      imported: 0,
      pending: 0,
      held: 0,
      heldByPeer: 0,
    });
  });

  it("shares one instance across connections when given an instance", async () => {
    const shared = new EchoService();
    const [c1, s1] = await connectPair({}, { service: shared });
    const [c2, s2] = await connectPair({}, { service: shared });
    expect(s1.service).toBe(shared);
    expect(s2.service).toBe(shared);
    expect(() => shared.connection).toThrow(/shared/);
    await finish(c1, s1);
    await finish(c2, s2);
  });

  it("rejects every pending call with ConnectionClosedError on close", async () => {
    const gate = deferred();
    const entered: number[] = [];
    class Slow extends Service {
      async wait(i: number) {
        entered.push(i);
        await gate.promise;
        return i;
      }
    }
    const [client, server] = await connectPair({}, { service: Slow });
    const calls = [1, 2, 3, 4, 5].map((i) => client.root.wait(i) as Promise<number>);
    await expect.poll(() => entered.length).toBe(5);
    expect(client.stats().pending).toBe(5);
    await client.close();
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionClosedError);
    }
    await expect(client.root.wait(6)).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect.poll(() => server.closed).toBe(true);
    gate.resolve();
    expect(client.stats()).toEqual({
      exported: 0,
      imported: 0,
      pending: 0,
      held: 0,
      heldByPeer: 0,
    });
    expect(server.stats()).toEqual({
      exported: 0,
      imported: 0,
      pending: 0,
      held: 0,
      heldByPeer: 0,
    });
  });

  it("emits close with the error when the transport fails", async () => {
    const [a, b] = createMemoryTransportPair();
    const [client, server] = await Promise.all([
      connectTransport(a),
      connectTransport(b, { service: EchoService }),
    ]);
    const closed = new Promise<Error | undefined>((resolve) => client.on("close", resolve));
    a.fail(new Error("cable cut"));
    expect((await closed)?.message).toBe("cable cut");
    await expect.poll(() => server.closed).toBe(true);
    await expect(client.root.add(1, 2)).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe("time: timeouts and cancellation", () => {
  it("times out, drops the late reply, and stays usable", async () => {
    const gate = deferred();
    let aborted = false;
    class Late extends Service {
      async late() {
        const { signal } = currentCall();
        signal.addEventListener("abort", () => (aborted = true));
        await gate.promise;
        return byRef({ payload: "late" }); // an export the client must give back unseen
      }
      add(a: number, b: number) {
        return a + b;
      }
    }
    const [client, server] = await connectPair({}, { service: Late });
    const fast = withOptions(client.root, { timeout: 30 });
    const error = await fast.late().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe("RPYC_ERR_TIMEOUT");
    expect((error as Error).message).toMatch(/'late' timed out after 30 ms/);
    await expect.poll(() => aborted).toBe(true);
    gate.resolve(); // the handler finishes late; its reply is dropped
    expect(await client.root.add(2, 2)).toBe(4);
    await finish(client, server);
  });

  it("uses config.timeout as the default", async () => {
    class Never extends Service {
      never() {
        return new Promise(() => undefined);
      }
    }
    const [client, server] = await connectPair({ config: { timeout: 25 } }, { service: Never });
    await expect(client.root.never()).rejects.toBeInstanceOf(TimeoutError);
    await finish(client, server);
  });

  it("aborting a call rejects it and aborts the remote handler's signal", async () => {
    const started = deferred();
    const remoteAbort = deferred<unknown>();
    class Job extends Service {
      run() {
        const { signal, connection } = currentCall();
        expect(connection).toBeDefined();
        started.resolve();
        return new Promise((_, reject) => {
          signal.addEventListener("abort", () => {
            remoteAbort.resolve(signal.reason);
            reject(signal.reason as Error);
          });
        });
      }
    }
    const [client, server] = await connectPair({}, { service: Job });
    const ac = new AbortController();
    const call = withOptions(client.root, { signal: ac.signal }).run();
    await started.promise;
    ac.abort(new Error("user gave up"));
    const error = await Promise.resolve(call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toEqual(new Error("user gave up"));
    const reason = await remoteAbort.promise;
    expect(reason).toBeInstanceOf(AbortError);
    await finish(client, server);
  });

  it("does not send a call whose signal is already aborted", async () => {
    const { client, server, clientEnd } = await memoryPair({}, { service: EchoService });
    const before = clientEnd.sentFrames;
    await expect(
      withOptions(client.root, { signal: AbortSignal.abort() }).add(1, 1),
    ).rejects.toBeInstanceOf(AbortError);
    expect(clientEnd.sentFrames).toBe(before);
    await finish(client, server);
  });

  it("currentCall() outside a handler throws a coded error", () => {
    expect(() => currentCall()).toThrow(
      expect.objectContaining({ code: "RPYC_ERR_NO_CURRENT_CALL" }),
    );
  });
});

describe("handshake", () => {
  it("fails both sides with RPYC_ERR_VERSION_MISMATCH on a different protocol", async () => {
    const { encodeMessage, MessageKind } = await import("@rpyc/protocol");
    const [a, b] = createMemoryTransportPair();
    // Side b speaks a future protocol: we emulate it by hand.
    const received: Uint8Array[] = [];
    let closedWith: Error | undefined | null = null;
    b.start({ onFrame: (f) => received.push(f), onClose: (e) => (closedWith = e) });
    b.send(
      encodeMessage({
        kind: MessageKind.Hello,
        protocol: 99,
        version: "9.0.0",
        service: "FUTURE",
        aliases: [],
        limits: { maxFrameBytes: 1024 },
      }),
    );
    const error = await connectTransport(a).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("RPYC_ERR_VERSION_MISMATCH");
    expect((error as Error).message).toMatch(/protocol version mismatch/);
    await expect.poll(() => closedWith).toBeUndefined();
    const { decodeMessage } = await import("@rpyc/protocol");
    const close = received.map((f) => decodeMessage(f)).find((m) => m.kind === MessageKind.Close);
    expect(close).toMatchObject({ code: "RPYC_ERR_VERSION_MISMATCH" });
  });
});

describe("leaks", () => {
  it("returns both tables to baseline after netrefs cross both ways", async () => {
    const [client, server] = await connectPair({}, { service: EchoService });
    const obj = byRef({ v: 1 });
    const back = await client.root.echo(obj);
    expect(back).toBe(obj); // came home as the original
    const local = () => 1;
    expect(await client.root.echo(local)).toBe(local);
    const adder = (await client.root.makeAdder(10)) as (x: number) => Promise<number>;
    expect(await adder(5)).toBe(15);
    expect(client.stats().imported).toBe(1);
    expect(server.stats().exported).toBe(1);
    release(adder);
    await expectBaseline(client, server);
    await finish(client, server);
  });
});
