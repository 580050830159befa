/**
 * A real Python RPyC client (5.3 and 6.0.1) against `servePython` on one port: calls, a Python
 * lambda called from JS, netrefs to JS objects, a JS error raised in Python, a denied
 * attribute. The Python script prints what it saw as JSON; these tests assert it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Service } from "@rpyc/core";
import { release, servePython, type PythonConnection, type PythonServer } from "../src/index.ts";
import { FIXTURES, VERSIONS, startPython } from "./python-peer.ts";

/** Exposes its accessors and methods (class-body members); data fields stay private. */
class Counter {
  #value = 0;
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  get value(): number {
    return this.#value;
  }
  get name(): string {
    return this.#name;
  }
  increment(): number {
    return ++this.#value;
  }
  describe(): string {
    return `${this.#name}=${this.#value}`;
  }
}

let server: PythonServer;
/** The connection the Python client used (seen by `held()`), for the JS-side leak check. */
let seen: PythonConnection | undefined;

class CalcService extends Service {
  secret = "not for Python";
  add(a: number, b: number): number {
    return a + b;
  }
  echo(x: unknown): unknown {
    return x;
  }
  async call_fn(fn: (x: number) => Promise<number>, x: number): Promise<unknown> {
    try {
      return await fn(x);
    } finally {
      release(fn);
    }
  }
  make_counter(name: string): Counter {
    return new Counter(name);
  }
  items(): number[] {
    return [1, 2, 3];
  }
  mapping(): Map<string, number> {
    return new Map([
      ["a", 1],
      ["b", 2],
    ]);
  }
  fail(message: string): never {
    throw new TypeError(message);
  }
  _hidden(): string {
    return "private";
  }
  /** JS objects the Python client still holds, and Python objects JS still holds. */
  held(): [number, number] {
    const [conn] = server.connections;
    seen = conn;
    const stats = conn!.stats();
    return [stats.exported, stats.imported];
  }
}

beforeAll(async () => {
  server = await servePython(CalcService, { port: 0 });
});
afterAll(async () => {
  await server.close();
  expect(server.connections.size).toBe(0);
});

describe.each(VERSIONS)("Python RPyC $version client vs servePython", ({ version, dialect }) => {
  it("calls, callbacks, netrefs, errors and denials, with nothing left over", async () => {
    expect(server.host).toBe("127.0.0.1");
    const peer = await startPython(version, [`${FIXTURES}client_of_js.py`, String(server.port)]);
    let result: Record<string, unknown>;
    try {
      result = JSON.parse(peer.ready) as Record<string, unknown>;
      expect(await peer.exited).toBe(0);
    } finally {
      await peer.stop();
    }
    expect(result.version).toBe(version);
    expect(result.service_name).toBe("CALC");
    expect(result.add).toBe(5);
    expect(result.exposed_add).toBe(9);
    expect(result.echo).toEqual(["a", 1, 2.5, null, true, "xy"]);
    expect(result.callback).toBe(42);
    expect(result.callback_kw).toBe(2);
    expect(result.counter).toEqual([2, "c1", "c1=2"]);
    expect(result.list).toEqual([3, 2, [1, 2, 3], true]);
    expect(result.dict).toEqual([2, 2, ["a", "b"]]);
    expect(result.error).toEqual(["TypeError", "boom", true]);
    expect(result.denied).toEqual(["AttributeError", true]);
    expect(result.private).toBe("AttributeError");
    // Python calls `root.held()` as GETATTR + CALL, so while it runs the JS side exports the
    // root and that bound method, nothing else; JS holds no Python object (lambdas released).
    expect(result.held).toEqual([2, 0]);
    // Python closed: the JS side's connection is gone, its tables empty, its server set empty.
    const conn = seen!;
    seen = undefined;
    await conn.closed;
    expect(conn.dialect).toBe(dialect);
    expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, serving: 0 });
    await Promise.resolve();
    expect(server.connections.size).toBe(0);
  });
});

describe("servePython", () => {
  it("binds to loopback by default and closes idempotently", async () => {
    const other = await servePython({}, {});
    expect(other.host).toBe("127.0.0.1");
    await Promise.all([other.close(), other.close()]);
    expect(other.connections.size).toBe(0);
  });
});
