/** Values made in another realm (a vm context) box exactly like local ones. */
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { RefKind, WireError, WireRef } from "@rpyc/protocol";
import { box, boxArgs } from "@rpyc/netref";
import { foreignKind, isAnyError } from "../src/other-realm.ts";

const inVm = <T = unknown>(code: string): T => vm.runInNewContext(code) as T;

function hooks() {
  const exported: object[] = [];
  return {
    exported,
    boxRef: (value: object) => {
      exported.push(value);
      return new WireRef(RefKind.Mine, exported.length);
    },
    includeStack: false,
    maxDepth: 64,
    allowCycles: false,
  };
}

describe("foreignKind", () => {
  it.each([
    ["[1, 2]", "array"],
    ["({ a: 1 })", "object"],
    ["new Map([[1, 2]])", "map"],
    ["new Set([1])", "set"],
    ["new Date(5)", "date"],
    ["/a+/gi", "regexp"],
    ["new TypeError('x')", "error"],
    ["class E extends Error {}; new E('x')", "error"],
    ["new Uint16Array(2)", "bytes"],
    ["new DataView(new ArrayBuffer(4))", "bytes"],
    ["new ArrayBuffer(4)", "bytes"],
    ["class A {}; new A()", undefined],
    ["class M extends Map {}; new M()", undefined],
    ["class L extends Array {}; new L()", undefined],
    ["Object.create(null)", undefined],
    ["({ [Symbol.toStringTag]: 'Error' })", "object"],
  ])("%s is %s", (code, kind) => {
    expect(foreignKind(inVm<object>(code))).toBe(kind);
  });

  it("says nothing of local values, and is not fooled by names", () => {
    for (const value of [[1], {}, new Map(), new Date(), /x/, new Error(), new Uint8Array(1)])
      expect(foreignKind(value)).toBeUndefined();
    // A prototype that only claims to be Map's (no [[MapData]] slot) is a class instance.
    expect(
      foreignKind(
        inVm(
          "const p = Object.create(Object.prototype, { constructor: { value: Map } }); Object.create(p)",
        ),
      ),
    ).toBeUndefined();
    expect(isAnyError(inVm("new RangeError('r')"))).toBe(true);
    expect(isAnyError(inVm("({ name: 'Error', message: 'm' })"))).toBe(false);
  });
});

describe("boxing values of another realm", () => {
  it("copies containers and leaves into local values, member by member", () => {
    const h = hooks();
    const fn = () => 1;
    const value = inVm<Record<string, unknown>>(
      "({ list: [1, { deep: [2] }], map: new Map([['k', [3]]]), set: new Set([4]), date: new Date(7), re: /x/g, u16: new Uint16Array([1, 2]), view: new DataView(new ArrayBuffer(2)), buf: new ArrayBuffer(3) })",
    );
    value["fn"] = fn;
    const out = box(value, h) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out["fn"]).toBeInstanceOf(WireRef); // functions still go by reference
    expect(out["list"]).toBeInstanceOf(Array);
    expect(out["list"]).toEqual([1, { deep: [2] }]);
    expect(Object.getPrototypeOf((out["list"] as unknown[])[1])).toBe(Object.prototype);
    expect(out["map"]).toBeInstanceOf(Map);
    expect((out["map"] as Map<string, unknown>).get("k")).toBeInstanceOf(Array);
    expect(out["set"]).toEqual(new Set([4]));
    expect(out["date"]).toEqual(new Date(7));
    expect(out["re"]).toBeInstanceOf(RegExp);
    expect(String(out["re"])).toBe("/x/g");
    expect(out["u16"]).toBeInstanceOf(Uint16Array);
    expect([...(out["u16"] as Uint16Array)]).toEqual([1, 2]);
    expect(out["view"]).toBeInstanceOf(DataView);
    expect(out["buf"]).toBeInstanceOf(ArrayBuffer);
    expect(h.exported).toEqual([fn]);
  });

  it("sends another realm's class instances by reference, and its errors as errors", () => {
    const h = hooks();
    const out = box(
      inVm("class A {}; [new A(), Object.assign(new TypeError('t'), { code: 'E_T' })]"),
      h,
    ) as unknown[];
    expect(out[0]).toBeInstanceOf(WireRef);
    expect(out[1]).toBeInstanceOf(WireError);
    expect(out[1]).toMatchObject({ name: "TypeError", message: "t", code: "E_T" });
  });

  it("gives a Proxy trap's argument array of another realm back as a local array", () => {
    const args = inVm<unknown[]>("[1, 'a']");
    const boxed = boxArgs(args, hooks());
    expect(Object.getPrototypeOf(boxed)).toBe(Array.prototype);
    expect(boxed).toEqual([1, "a"]);
  });
});
