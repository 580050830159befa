/**
 * `connectPythonClassic` against RPyC's own `rpyc_classic` server (the CLI, oneshot mode), for
 * RPyC 5.3 (Debian) and 6.0.1. Every test ends with both sides' tables back to baseline: the
 * JS side's `stats()`, and the server's own connection tables, read through `getconn()`.
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PythonError,
  connectPythonClassic,
  isPythonNetref,
  item,
  len,
  release,
  setItem,
  type PythonClassicConnection,
} from "../src/index.ts";
import { VERSIONS, startClassicServer, type PythonPeer } from "./python-peer.ts";

/**
 * Puts the server's own Connection into the namespace (as `_conn`) and defines `_held()`: the
 * objects the server exports to JS beside its root, and the JS objects it holds netrefs to.
 */
async function installHeld(py: PythonClassicConnection): Promise<void> {
  const conn = await py.conn.root.getconn();
  const ns = await py.namespace;
  await setItem(ns, "_conn", conn);
  release(conn);
  release(ns);
  await py.execute(
    "import gc\n" +
      "def _held():\n" +
      "    gc.collect()\n" +
      "    return (len(_conn._local_objects._dict) - 1, len(_conn._proxy_cache))\n",
  );
}

async function leakCheck(py: PythonClassicConnection): Promise<void> {
  // The server serves one connection's requests in order: by this reply every DEL was served.
  expect(await py.eval("_held()")).toEqual([0, 0]);
  expect(py.stats()).toEqual({ exported: 0, imported: 1, pending: 0, serving: 0 }); // the root
}

describe.each(VERSIONS)("JS classic client vs rpyc_classic $version", ({ version, dialect }) => {
  let peer: PythonPeer & { port: number };
  let py: PythonClassicConnection;
  let cwd: string;

  beforeAll(async () => {
    cwd = realpathSync(mkdtempSync(join(tmpdir(), "rpyc-classic-")));
    peer = await startClassicServer(version, { cwd });
    py = await connectPythonClassic("127.0.0.1", peer.port, { dialect });
    await installHeld(py);
  });
  afterAll(async () => {
    await py.close();
    expect(py.stats()).toEqual({ exported: 0, imported: 0, pending: 0, serving: 0 });
    // A oneshot server exits once its one connection is gone.
    expect(await peer.exited).toBe(0);
    await peer.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("reaches the server's modules: os.getcwd(), dotted names, builtins", async () => {
    expect(await py.modules.os.getcwd()).toBe(cwd);
    expect(await py.modules["os.path"].join("a", "b")).toBe("a/b");
    expect(await py.modules.sys.version_info.major).toBe(3);
    expect(await py.eval("__import__('rpyc').__version__")).toBe(version);
    expect(await py.builtins.len([1, 2, 3])).toBe(3);
    await expect(py.modules.no_such_module_here.x).rejects.toMatchObject({
      pythonType: "builtins.ModuleNotFoundError",
    });
    await leakCheck(py);
  });

  it("evaluates and executes in one namespace, seen as a dict netref", async () => {
    expect(await py.eval("6 * 7")).toBe(42);
    expect(await py.eval("2 ** 80")).toBe(2n ** 80n);
    expect(await py.eval("('a', None, 1.5)")).toEqual(["a", null, 1.5]);
    await py.execute("x = 40\ndef twice(f, v):\n    return 2 * f(v)\n");
    expect(await py.eval("x + 2")).toBe(42);

    const ns = await py.namespace;
    expect(isPythonNetref(ns)).toBe(true);
    expect(await item(ns, "x")).toBe(40);
    await setItem(ns, "y", 2);
    expect(await py.eval("x + y")).toBe(42);
    release(ns);

    const lst = await py.eval("[1, 2, 3]");
    expect(isPythonNetref(lst)).toBe(true);
    expect(await len(lst)).toBe(3);
    expect(await py.obtain(lst)).toEqual([1, 2, 3]);
    release(lst);

    // A JS callback called by Python code defined with execute.
    const twice = await py.eval("twice");
    expect(await twice((v: number) => v + 1, 20)).toBe(42);
    release(twice);
    await leakCheck(py);
  });

  it("rejects with the Python exception and its traceback", async () => {
    const err = (await py.eval("1 / 0").then(
      () => undefined,
      (e: unknown) => e,
    )) as PythonError;
    expect(err).toBeInstanceOf(PythonError);
    expect(err.pythonType).toBe("builtins.ZeroDivisionError");
    expect(err.remoteTraceback).toContain("Traceback (most recent call last)");
    await expect(py.execute("raise KeyError('k')")).rejects.toMatchObject({
      pythonType: "builtins.KeyError",
      args: ["k"],
    });
    await expect(py.execute("def broken(:")).rejects.toMatchObject({
      pythonType: "builtins.SyntaxError",
    });
    await expect(py.eval(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
    await leakCheck(py);
  });
});

describe("connectPythonClassic", () => {
  it("refuses a service: a classic client exposes nothing", async () => {
    await expect(
      connectPythonClassic("127.0.0.1", 1, { dialect: "6", service: {} } as never),
    ).rejects.toThrow(/exposes no service/);
  });
});
