import { describe, expect, it, vi } from "vitest";
import {
  ReleasedNetrefError,
  Service,
  byRef,
  connectPair,
  currentCall,
  isNetref,
  isRemotePromise,
  keys,
  has,
  obtain,
  release,
  repr,
  inspect,
  type Connection,
  type Remote,
} from "@rpyc/core";
import { expectBaseline, finish, memoryPair } from "./harness.ts";

const gc = (globalThis as { gc?: () => void }).gc!;

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  sum() {
    return this.x + this.y;
  }
}

const nodeGate: { promise: Promise<void>; open: () => void } = {
  promise: Promise.resolve(),
  open: () => undefined,
};

class Node {
  constructor(readonly v: number) {}
  next() {
    return new Node(this.v + 1);
  }
  get value() {
    return this.v;
  }
  ping() {
    return "pong";
  }
  slow() {
    return nodeGate.promise.then(() => "done");
  }
}

class Lab extends Service {
  readonly same = new Node(7);
  gate: Promise<void> = Promise.resolve();
  cleaned = false;
  make() {
    return new Node(1);
  }
  getSame() {
    return this.same;
  }
  isSame(x: unknown) {
    return x === this.same;
  }
  config() {
    return { port: 8080, nested: { host: "h" } };
  }
  get Point() {
    return Point;
  }
  range(n: number) {
    return Array.from({ length: n }, (_, i) => i);
  }
  *numbers(n: number) {
    try {
      for (let i = 0; i < n; i++) yield i;
    } finally {
      this.cleaned = true;
    }
  }
  async *ticks(n: number) {
    for (let i = 0; i < n; i++) yield { i };
  }
  echo(x: unknown) {
    return x;
  }
  waitGate() {
    return this.gate.then(() => "opened");
  }
}

describe("netref proxies", () => {
  it("is not thenable: await ref returns the netref; descriptions need no I/O", async () => {
    const { client, server, clientEnd } = await memoryPair({}, { service: Lab });
    const root = client.root;
    const sent = clientEnd.sentFrames;
    expect((await root) === root).toBe(true);
    expect(isNetref(root)).toBe(true);
    expect(String(root)).toBe("<netref root of LAB>");
    expect(`${root}`).toBe("<netref root of LAB>");
    expect(root.then).toBeUndefined();
    expect(() => JSON.stringify({ root })).toThrow(/obtain/);
    expect(isRemotePromise(root.anything)).toBe(true);
    expect(clientEnd.sentFrames).toBe(sent); // a lazy property read sent nothing
    await finish(client, server);
  });

  it("a remote promise's then is Promise-like: chainable, and refused when detached", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const made = client.root.make();
    expect(made.then).toBe(client.root.config().then); // one shared function
    const node = await made.then((n: unknown) => n);
    expect(await made.then(() => 5).then((n: number) => n + 1)).toBe(6);
    const detached = made.then;
    expect(() => detached.call({}, () => undefined)).toThrow(TypeError);
    release(node);
    await finish(client, server);
  });

  it("reads properties lazily, with one Get when awaited", async () => {
    const { client, server, clientEnd } = await memoryPair({}, { service: Lab });
    const node = await client.root.make();
    const sent = clientEnd.sentFrames;
    const lazy = node.value;
    await Promise.resolve();
    expect(clientEnd.sentFrames).toBe(sent);
    expect(await lazy).toBe(1);
    expect(clientEnd.sentFrames).toBe(sent + 1);
    release(node);
    await finish(client, server);
  });

  it("keeps identity: the same remote object gives the same proxy; release sends the whole count", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const a = await client.root.getSame();
    const b = await client.root.getSame();
    expect(a === b).toBe(true);
    expect(server.stats().exported).toBe(1);
    release(a);
    await expect(a.ping()).rejects.toBeInstanceOf(ReleasedNetrefError);
    await expectBaseline(client, server);
    const c = await client.root.getSame();
    expect(c === a).toBe(false); // a released proxy is never revived
    expect(await c.ping()).toBe("pong");
    c[Symbol.dispose]();
    await expect(c.ping()).rejects.toMatchObject({ code: "RPYC_ERR_NETREF_RELEASED" });
    await finish(client, server);
  });

  it("a netref sent back to its owner arrives as the original object", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const same = await client.root.getSame();
    expect(await client.root.isSame(same)).toBe(true);
    const local = byRef({ mine: true });
    expect((await client.root.echo(local)) === local).toBe(true);
    release(same);
    await finish(client, server);
  });

  it("a release racing a reply that re-sends the object keeps it alive (counts)", async () => {
    const { client, server, serverEnd } = await memoryPair({}, { service: Lab });
    const a = await client.root.getSame();
    serverEnd.hold();
    const pending = client.root.getSame();
    await Promise.resolve(pending.then === undefined); // make the request leave
    await vi.waitFor(() => expect(serverEnd.held).toBe(1)); // the reply is produced, not delivered
    release(a);
    await vi.waitFor(() => expect(server.stats().exported).toBe(1)); // 2 sends − 1 released
    serverEnd.resume();
    const b = await pending;
    expect(await b.ping()).toBe("pong");
    release(b);
    await finish(client, server);
  });

  it("a pending call pins its target", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    nodeGate.promise = new Promise<void>((resolve) => (nodeGate.open = resolve));
    const held = await (async () => {
      const node = await client.root.make();
      const control = await client.root.make(); // dropped at once: GC releases it
      void control;
      return { call: node.slow() };
    })();
    // The control proxy is collected and released; the one under the pending call is not.
    await vi.waitFor(() => {
      gc();
      expect(server.stats().exported).toBe(1);
    });
    expect(client.stats().imported).toBe(1);
    nodeGate.open();
    expect(await held.call).toBe("done");
    await finish(client, server);
  });

  it("constructs remotely with new ref.Name()", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const p = await new client.root.Point(2, 3);
    expect(isNetref(p)).toBe(true);
    expect(await p.sum()).toBe(5);
    release(p);
    await finish(client, server);
  });

  it("helpers: keys, has, repr, inspect, obtain", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    expect((await keys(client.root)).sort()).toEqual(
      [
        "Point",
        "config",
        "echo",
        "getSame",
        "isSame",
        "make",
        "numbers",
        "range",
        "ticks",
        "waitGate",
      ].sort(),
    );
    expect(await has(client.root, "make")).toBe(true);
    expect(await has(client.root, "same")).toBe(false);
    expect(await repr(client.root)).toBe("<Lab>");
    expect((await inspect(client.root)).type).toBe("Lab");
    const p = await new client.root.Point(1, 2);
    expect(await obtain(p)).toEqual({});
    release(p);
    expect(await obtain(client.root.config())).toEqual({ port: 8080, nested: { host: "h" } });
    await finish(client, server);
  });
});

describe("pipelining", () => {
  it("await ref.a().b() .c is one round trip", async () => {
    const { client, server, clientEnd, serverEnd } = await memoryPair({}, { service: Lab });
    serverEnd.hold(); // nothing comes back until we say so
    const sent = clientEnd.sentFrames;
    // (A native promise of the chain: holding the remote promise itself would keep the
    // intermediate results, and so their netrefs, alive.)
    const settled = (() => Promise.resolve(client.root.make().next().value))();
    // All three requests leave without waiting for any reply.
    await vi.waitFor(() => expect(clientEnd.sentFrames - sent).toBe(3));
    serverEnd.resume();
    expect(await settled).toBe(2);
    await finish(client, server);
  });

  it("pipelines into by-value results, and into arguments", async () => {
    const { client, server, clientEnd, serverEnd } = await memoryPair({}, { service: Lab });
    serverEnd.hold();
    const sent = clientEnd.sentFrames;
    const port = Promise.resolve(client.root.config().port);
    const same = Promise.resolve(client.root.isSame(client.root.getSame()));
    await vi.waitFor(() => expect(clientEnd.sentFrames - sent).toBe(4));
    serverEnd.resume();
    expect(await port).toBe(8080);
    expect(await same).toBe(true);
    await finish(client, server);
  });

  it("falls back to waiting when the target's request already left", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const made = client.root.make();
    const config = client.root.config();
    await client.ping(); // both requests have left, unpinned
    expect(await made.next().value).toBe(2);
    expect(await config.nested.host).toBe("h");
    const same = client.root.getSame();
    await client.ping();
    expect(await client.root.isSame(same)).toBe(true); // an argument that already left: awaited
    release(await same);
    release(await made);
    await finish(client, server);
  });

  it("a failing fire-and-forget call is not an unhandled rejection (direct or fallback)", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const root = client.root as any;
    void root.nope(); // never awaited
    const made = root.make();
    await client.ping(); // `made` left unpinned: the next call takes the fallback path
    void made.nope();
    void root.echo(root.nope()); // a failing pipelined argument
    await client.ping();
    await client.ping();
    release(await made);
    await finish(client, server);
  });

  it("a failing step fails its dependents with the same error", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    await expect((client.root as any).nothing().next()).rejects.toMatchObject({
      code: "RPYC_ERR_ACCESS_DENIED",
    });
    expect(await client.root.make().ping()).toBe("pong");
    await finish(client, server);
  });
});

/** Iterates in its own frame, so no suspended frame keeps the remote iterator alive. */
async function collect(make: () => AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of make()) out.push(x);
  return out;
}

describe("remote iteration", () => {
  it("iterates in growing batches (10, 20, 40 … 1000)", async () => {
    const { client, server, clientEnd } = await memoryPair({}, { service: Lab });
    const sent = clientEnd.sentFrames;
    const seen = await collect(() => client.root.numbers(2500));
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    // numbers + Iterate + 9 IterNext (10+20+40+80+160+320+640+1000+1000) + releases:
    // far fewer than one round trip per item.
    expect(clientEnd.sentFrames - sent).toBeLessThanOrEqual(14);
    await finish(client, server);
  });

  it("iterates arrays and async generators; a short iteration is one round trip", async () => {
    const { client, server, clientEnd, serverEnd } = await memoryPair({}, { service: Lab });
    const seen: unknown[] = [];
    serverEnd.hold();
    const sent = clientEnd.sentFrames;
    const done = (async () => {
      for await (const x of client.root.range(5)) seen.push(x);
    })();
    await vi.waitFor(() => expect(clientEnd.sentFrames - sent).toBe(3)); // range, Iterate, IterNext
    serverEnd.resume();
    await done;
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    const ticks = await collect(() => client.root.ticks(3));
    expect(ticks).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    await finish(client, server);
  });

  it("break sends IterReturn (the remote generator's finally runs)", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    for await (const x of client.root.numbers(100)) if (x === 3) break;
    await vi.waitFor(() => expect((server.service as Lab).cleaned).toBe(true));
    await finish(client, server);
  });

  it("an error thrown by the remote iterator reaches the loop", async () => {
    class Broken extends Service {
      async *items() {
        yield 1;
        throw new RangeError("ran out");
      }
    }
    const [client, server] = await connectPair({}, { service: Broken });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const x of client.root.items()) seen.push(x);
      })(),
    ).rejects.toThrow(RangeError);
    expect(seen).toEqual([1]); // the value before the error, then the error
    await finish(client, server);
  });

  it("iterating a non-iterable rejects clearly", async () => {
    const [client, server] = await connectPair({}, { service: Lab });
    const iterate = async () => {
      for await (const _ of (client.root as any).make()) void _;
    };
    await expect(iterate()).rejects.toThrow(/not iterable/);
    await finish(client, server);
  });
});

describe("rpyc over rpyc", () => {
  class Backend extends Service {
    readonly thing = new Node(42);
    add(a: number, b: number) {
      return a + b;
    }
    getThing() {
      return this.thing;
    }
    isThing(x: unknown) {
      return x === this.thing;
    }
    callMe(cb: (x: number) => Promise<number>) {
      return cb(20);
    }
  }
  class Middle extends Service {
    backend!: Remote<Backend>;
    getBackend() {
      return this.backend;
    }
  }

  it("a netref from a third connection passes through and still works", async () => {
    const [toBackend, backendSide] = await connectPair({}, { service: Backend });
    const [client, middleSide] = await connectPair({}, { service: Middle });
    (middleSide.service as Middle).backend = toBackend.root as Remote<Backend>;
    const backend = await (client.root as Remote<Middle>).getBackend();
    expect(isNetref(backend)).toBe(true);
    expect(await backend.add(1, 2)).toBe(3);
    expect(await backend.callMe((x: number) => x + 1)).toBe(21); // the callback crosses two hops
    const thing = await backend.getThing();
    expect(await thing.ping()).toBe("pong");
    expect(await backend.isThing(thing)).toBe(true); // arrives home as the original
    release(thing);
    release(backend);
    const conns: Connection[] = [client, middleSide, toBackend, backendSide];
    await expectBaseline(...conns);
    await finish(client, middleSide);
    await finish(toBackend, backendSide);
  });
});

describe("service context", () => {
  it("gives per-connection services their connection", async () => {
    let seen: Connection | undefined;
    class Ctx extends Service {
      who() {
        seen = currentCall().connection;
        return this.connection === seen;
      }
    }
    const [client, server] = await connectPair({}, { service: Ctx });
    expect(await client.root.who()).toBe(true);
    expect(seen).toBe(server);
    await finish(client, server);
  });
});
