/**
 * A call made from another realm (a vm context, a REPL, which runs in a context of its own) and
 * values made there cross the wire exactly like local ones.
 */
import { PassThrough } from "node:stream";
import repl from "node:repl";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { Service, isNetref } from "@rpyc/core";
import { finish, memoryPair } from "./harness.ts";

class RealmService extends Service {
  add(a: number, b: number) {
    return a + b;
  }
  echo(...values: unknown[]) {
    return values;
  }
  /** Values made in a vm context, returned as they are. */
  made(code: string) {
    return vm.runInNewContext(code) as unknown;
  }
  fail() {
    vm.runInNewContext("throw Object.assign(new RangeError('vm says no'), { code: 'E_VM' })");
  }
}

describe("values and calls of another realm", () => {
  it("calls from a vm context, with its arrays and objects as arguments", async () => {
    const { client, server } = await memoryPair({}, { service: RealmService });
    const context = vm.createContext({ root: client.root });
    expect(await (vm.runInContext("root.add(1, 2)", context) as Promise<number>)).toBe(3);
    const echoed = await (vm.runInContext(
      "root.echo([1, [2]], { a: { b: 3 } }, new Map([[1, 2]]), new Set([3]), new Date(9), new Uint8Array([7]))",
      context,
    ) as Promise<unknown[]>);
    expect(echoed).toEqual([
      [1, [2]],
      { a: { b: 3 } },
      new Map([[1, 2]]),
      new Set([3]),
      new Date(9),
      Uint8Array.of(7),
    ]);
    expect(client.closed).toBe(false);
    await finish(client, server);
  });

  it("returns values a service made in a vm context by value, class instances by reference", async () => {
    const { client, server } = await memoryPair({}, { service: RealmService });
    const data = await client.root.made(
      "[1, { a: [2] }, new Map([['k', 1]]), /r/g, new Float64Array([1.5])]",
    );
    expect(isNetref(data)).toBe(false);
    expect(data).toEqual([1, { a: [2] }, new Map([["k", 1]]), /r/g, Float64Array.of(1.5)]);
    const instance = await client.root.made("class Box {}; new Box()");
    expect(isNetref(instance)).toBe(true);
    await expect(client.root.fail()).rejects.toMatchObject({
      name: "RangeError",
      message: "vm says no",
      code: "E_VM",
    });
    (instance as { [Symbol.dispose](): void })[Symbol.dispose]();
    await finish(client, server);
  });

  it("serves a REPL, which evaluates in a context of its own", async () => {
    const { client, server } = await memoryPair({}, { service: RealmService });
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const session = repl.start({ input, output, prompt: "", terminal: false });
    const result = new Promise<unknown>((resolve) => (session.context["report"] = resolve));
    session.context["root"] = client.root;
    input.write("root.echo([1, { a: [2] }]).then(report, report)\n");
    expect(await result).toEqual([[1, { a: [2] }]]);
    session.close();
    await finish(client, server);
  });
});
