/**
 * A JS client against a real Python RPyC ThreadedServer with a custom service, for RPyC 5.3
 * (Debian) and 6.0.1. Every test ends with both sides' tables back to baseline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionClosedError, TimeoutError } from "@rpyc/core";
import {
  PythonError,
  connectPython,
  contains,
  dir,
  isPythonNetref,
  item,
  iterate,
  kw,
  len,
  obtain,
  release,
  repr,
  str,
  withContext,
  withOptions,
  type PythonConnection,
} from "../src/index.ts";
import { VERSIONS, startServiceServer, type PythonPeer } from "./python-peer.ts";

async function leakCheck(conn: PythonConnection): Promise<void> {
  // Python answers DELs in order, so one more round trip means every DEL was processed.
  const [exported, held] = (await conn.root.held()) as [number, number];
  expect({ exported, held }).toEqual({ exported: 0, held: 0 });
  expect(conn.stats()).toEqual({ exported: 0, imported: 1, pending: 0, serving: 0 }); // the root
}

describe.each(VERSIONS)("JS client vs Python RPyC $version", ({ version, dialect }) => {
  let peer: PythonPeer & { port: number };
  let conn: PythonConnection;

  beforeAll(async () => {
    peer = await startServiceServer(version);
    conn = await connectPython("127.0.0.1", peer.port, { dialect });
  });
  afterAll(async () => {
    await conn.close();
    expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, serving: 0 });
    await peer.stop();
  });

  it("calls exposed methods with brine values both ways", async () => {
    expect(await conn.root.version()).toBe(version);
    expect(await conn.root.echo(1)).toBe(1);
    expect(await conn.root.add(2, 3)).toBe(5);
    expect(await conn.root.echo("héllo")).toBe("héllo");
    expect(await conn.root.echo(2n ** 70n)).toBe(2n ** 70n);
    expect(await conn.root.echo(2.5)).toBe(2.5);
    expect(await conn.root.echo(null)).toBe(null);
    expect(await conn.root.echo([1, "a", [true, false]])).toEqual([1, "a", [true, false]]);
    expect(Buffer.from((await conn.root.echo(Buffer.from("xy"))) as Uint8Array).toString()).toBe(
      "xy",
    );
    expect(await conn.root.types([1, 2])).toBe("tuple");
    expect(await conn.root.types(2n ** 80n)).toBe("int");
    expect(await conn.root.kwargs(1, kw({ c: 9 }))).toEqual([1, 2, 9]);
    // Over 3000 bytes both ways: compressed frames.
    expect(((await conn.root.big(10_000)) as string).length).toBe(10_000);
    expect(await conn.root.echo("y".repeat(20_000))).toBe("y".repeat(20_000));
    expect(await conn.ping("abc")).toBe("abc");
    await leakCheck(conn);
  });

  it("serves a JS callback, also when Python calls it from another thread", async () => {
    expect(await conn.root.call_back((n: number) => n + 1, 20)).toBe(42);
    let called!: () => void;
    const wasCalled = new Promise<void>((resolve) => (called = resolve));
    await conn.root.start_thread(async (n: number) => {
      called();
      return n * 3;
    }, 5);
    await wasCalled;
    expect(await conn.root.thread_result()).toEqual([15, "callback-thread"]);
    expect(await conn.root.use_obj({ greet: (who: string) => `hi ${who}` })).toBe("hi py!");
    await leakCheck(conn);
  });

  it("holds netrefs to a list, a dict and an object: len, items, iteration, attributes", async () => {
    const lst = await conn.root.getlist();
    expect(isPythonNetref(lst)).toBe(true);
    expect(await len(lst)).toBe(3);
    expect(await item(lst, -1)).toBe(3);
    const seen: unknown[] = [];
    for await (const v of lst) seen.push(v);
    expect(seen).toEqual([1, 2, 3]);
    expect(await repr(lst)).toBe("[1, 2, 3]");
    expect(await contains(lst, 2)).toBe(true);
    // Python's default config exposes no list methods: the denial comes from Python.
    await expect(lst.count(2)).rejects.toMatchObject({ pythonType: "builtins.AttributeError" });
    release(lst);

    const d = await conn.root.getdict();
    expect(await len(d)).toBe(2);
    expect(await item(d, "b")).toEqual([1, 2]);
    await expect(item(d, "zz")).rejects.toMatchObject({ pythonType: "builtins.KeyError" });
    expect(await obtain(d)).toEqual(
      new Map<string, unknown>([
        ["a", 1],
        ["b", [1, 2]],
      ]),
    );
    release(d);

    const obj = await conn.root.getobj("obj1");
    expect(await obj.name).toBe("obj1");
    expect(await obj.greet("js")).toBe("hello js from obj1");
    expect(await str(obj)).toContain("Thing object");
    expect(await dir(obj)).toContain("exposed_greet");
    release(obj);

    // A chain: the netref in the middle is released by the chain itself.
    expect(await conn.root.getobj("chained").greet("x")).toBe("hello x from chained");
    // Iterating 2500 items takes BUFFITER batches of 10, 20, … 1000.
    let count = 0;
    for await (const v of iterate(conn.root.getrange(2500))) count += v === count ? 1 : 0;
    expect(count).toBe(2500);
    expect(await obtain(conn.root.getrange(4))).toEqual([0, 1, 2, 3]);
    const ctx = await conn.root.getctx();
    await withContext(ctx, async (entered) => {
      expect(await obtain(entered.events)).toEqual(["enter"]);
    });
    expect(await obtain(ctx.events)).toEqual(["enter", "exit:None"]);
    release(ctx);
    await leakCheck(conn);
  });

  it("rejects with the Python exception, its args and traceback", async () => {
    const err = (await conn.root.fail().then(
      () => undefined,
      (e: unknown) => e,
    )) as PythonError;
    expect(err).toBeInstanceOf(PythonError);
    expect(err.pythonType).toBe("builtins.ValueError");
    expect(err.args).toEqual(["boom"]);
    expect(err.message).toBe("ValueError: boom");
    expect(err.remoteTraceback).toContain("Traceback (most recent call last)");
    expect(err.remoteTraceback).toContain('raise ValueError("boom")');
    expect(err.attributes.get("_remote_version")).toBe(version);
    await expect(conn.root.secret).rejects.toMatchObject({ pythonType: "builtins.AttributeError" });
    await leakCheck(conn);
  });

  it("times out a slow call, drops the late reply and stays usable", async () => {
    await expect(withOptions(await conn.root, { timeout: 100 }).sleep(0.5)).rejects.toBeInstanceOf(
      TimeoutError,
    );
    // The server serves one connection's requests in order: this reply comes after the sleep.
    expect(await conn.root.echo("after")).toBe("after");
    await leakCheck(conn);
  });
});

describe.each(VERSIONS)("closing against Python RPyC $version", ({ version, dialect }) => {
  it("close() rejects later calls and leaves nothing behind", async () => {
    const peer = await startServiceServer(version);
    const conn = await connectPython("127.0.0.1", peer.port, { dialect });
    expect(await conn.root.echo(1)).toBe(1);
    await conn.close();
    await expect(conn.root.echo(1)).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, serving: 0 });
    await peer.stop();
  });

  it("a killed server rejects the pending call with ConnectionClosedError", async () => {
    const peer = await startServiceServer(version);
    const conn = await connectPython("127.0.0.1", peer.port, { dialect });
    expect(await conn.root.version()).toBe(version); // the connection works before the kill
    const slow = conn.root.sleep(30);
    const failed = slow.then(
      () => undefined,
      (e: unknown) => e,
    );
    await peer.stop();
    expect(await failed).toBeInstanceOf(ConnectionClosedError);
    await conn.closed;
    expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, serving: 0 });
    await conn.close();
  });
});
