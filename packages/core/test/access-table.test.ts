/**
 * The access policy as one table: every operation a peer can ask for × every kind of exposure,
 * each expected allowed or denied (`RPYC_ERR_ACCESS_DENIED`). Every exposure here is iterable
 * and has a readable member, so a denial can only come from the policy.
 */
import { describe, expect, it } from "vitest";
import {
  Service,
  byRef,
  delAttr,
  has,
  inspect,
  keys,
  obtain,
  release,
  repr,
  restricted,
  setAttr,
} from "@rpyc/core";
import { finish, memoryPair } from "./harness.ts";

class Item {
  *[Symbol.iterator]() {
    yield 1;
  }
  get value() {
    return 1;
  }
}

function fn() {
  return 1;
}
Object.assign(fn, { value: 1, [Symbol.iterator]: Item.prototype[Symbol.iterator] });

class Exposures extends Service {
  *[Symbol.iterator]() {
    yield 1;
  }
  get value() {
    return 1;
  }
  restrictedMap() {
    return restricted(new Map([["secret", 1]]), ["get", "size", "value"]);
  }
  instance() {
    return new Item();
  }
  plain() {
    return byRef(Object.assign([1], { value: 1 }));
  }
  func() {
    return fn;
  }
}

type Kind = "restricted" | "service" | "instance" | "byRef" | "function";
const KINDS: Kind[] = ["restricted", "service", "instance", "byRef", "function"];

/** Each operation, as the peer's user code writes it. */
const OPERATIONS: Record<string, (ref: any) => Promise<unknown>> = {
  iterate: async (ref) => {
    const values: unknown[] = [];
    for await (const value of ref) values.push(value);
    return values;
  },
  keys: (ref) => keys(ref),
  has: (ref) => has(ref, "value"),
  inspect: (ref) => inspect(ref),
  repr: (ref) => repr(ref),
  obtain: (ref) => obtain(ref),
  call: (ref) => ref(),
  construct: (ref) => new ref.hidden(), // a name no exposure exposes
  get: (ref) => ref.value.then((v: unknown) => v),
  set: (ref) => setAttr(ref, "value", 2),
  delete: (ref) => delAttr(ref, "value"),
};

// allowed (A) or denied (D), per kind in KINDS order.
const TABLE: Record<string, string> = {
  iterate: "D A A A D",
  keys: "A A A A A",
  has: "A A A A A",
  inspect: "A A A A A",
  repr: "A A A A A",
  obtain: "A A A A D",
  call: "D D D D A",
  construct: "D D D D D",
  get: "A A A A D",
  set: "D D D D D",
  delete: "D D D D D",
};

const ROWS = Object.entries(TABLE).flatMap(([op, expected]) =>
  expected.split(" ").map((e, i) => [op, KINDS[i]!, e === "A" ? "allowed" : "denied"] as const),
);

describe("access: operation × exposure", () => {
  it.each(ROWS)("%s on %s: %s", async (op, kind, expected) => {
    const { client, server } = await memoryPair<Exposures>({}, { service: Exposures });
    const root = client.root;
    const target =
      kind === "service"
        ? root
        : await {
            restricted: () => root.restrictedMap(),
            instance: () => root.instance(),
            byRef: () => root.plain(),
            function: () => root.func(),
          }[kind]();
    const outcome = await OPERATIONS[op]!(target).then(
      () => "allowed",
      (err: { code?: unknown; message?: string }) =>
        err.code === "RPYC_ERR_ACCESS_DENIED"
          ? "denied"
          : `failed: ${String(err.code)} ${err.message}`,
    );
    if (kind !== "service") release(target);
    expect(outcome).toBe(expected);
    await finish(client, server);
  });
});
