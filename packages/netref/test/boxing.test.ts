import { describe, expect, it } from "vitest";
import { RefKind, WireError, WireRef } from "@rpyc/protocol";
import {
  BoxingError,
  RemoteError,
  box,
  boxArgs,
  byRef,
  fromWireError,
  lookupErrorClass,
  registerError,
  toWireError,
  unbox,
} from "@rpyc/netref";

function hooks() {
  const exported: object[] = [];
  return {
    exported,
    box: {
      boxRef: (value: object) => {
        exported.push(value);
        return new WireRef(RefKind.Mine, exported.length);
      },
      includeStack: true,
      maxDepth: 64,
      allowCycles: false,
    },
    unbox: {
      unboxRef: (ref: WireRef) => ({ ref: ref.id }),
      errorClass: lookupErrorClass,
    },
  };
}

describe("boxing", () => {
  it("returns all-primitive arguments as they are (no allocation)", () => {
    const args = [1, "a", null, undefined, 2n, true];
    expect(boxArgs(args, hooks().box)).toBe(args);
  });

  it("boxes function and leaf arguments without the walk, exporting nothing twice", () => {
    const h = hooks();
    const cb = () => 1;
    const bytes = Uint8Array.of(1);
    const args = [cb, 2, bytes];
    const boxed = boxArgs(args, h.box);
    expect(boxed).not.toBe(args); // a copy: the caller's array is untouched
    expect(args[0]).toBe(cb);
    expect(boxed).toEqual([new WireRef(RefKind.Mine, 1), 2, bytes]);
    expect(boxed[2]).toBe(bytes);
    boxArgs([cb, cb], h.box); // one reference per occurrence, as box() sends them
    expect(h.exported).toEqual([cb, cb, cb]);
    const mixed = hooks();
    boxArgs([cb, { nested: cb }], mixed.box); // a container: all of it goes to the walk
    expect(mixed.exported).toEqual([cb, cb]); // once per occurrence, not once more up front
    expect(() => boxArgs([cb, Symbol("s")], hooks().box)).toThrow(BoxingError);
  });

  it("sends containers without refs as they are, and copies from the first ref", () => {
    const h = hooks();
    const data = { a: [1, 2], b: new Map([[1, 2]]) };
    expect(box(data, h.box)).toBe(data);
    const fn = () => 1;
    const mixed = { a: 1, f: fn, list: [1, fn] };
    const boxed = box(mixed, h.box) as Record<string, unknown>;
    expect(boxed).not.toBe(mixed);
    expect(boxed["a"]).toBe(1);
    expect(boxed["f"]).toBeInstanceOf(WireRef);
    expect(mixed.f).toBe(fn); // the caller's value is untouched
  });

  it("goes by reference for functions, class instances and byRef values", () => {
    const h = hooks();
    class Thing {}
    const marked = byRef({ x: 1 });
    const out = box(
      [() => 1, new Thing(), marked, new Map([[1, new Thing()]])],
      h.box,
    ) as unknown[];
    expect(out.slice(0, 3).every((v) => v instanceof WireRef)).toBe(true);
    expect((out[3] as Map<number, unknown>).get(1)).toBeInstanceOf(WireRef);
    expect(h.exported).toHaveLength(4);
  });

  it("keeps identity of a container sent twice, and refuses cycles", () => {
    const h = hooks();
    const shared = { fn: () => 1 };
    const out = box([shared, shared], h.box) as unknown[];
    expect(out[0]).toBe(out[1]);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => box(cyclic, h.box)).toThrow(BoxingError);
  });

  it("refuses nesting deeper than maxDepth without overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => box(deep, hooks().box)).toThrow(/deeper than 64/);
  });

  it("refuses symbols", () => {
    expect(() => box([Symbol("x")], hooks().box)).toThrow(BoxingError);
  });

  it("unboxes refs in place and never touches a prototype", () => {
    const h = hooks();
    const wire = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    wire["r"] = new WireRef(RefKind.Mine, 3);
    const out = unbox(wire, h.unbox) as Record<string, unknown>;
    expect(out["r"]).toEqual({ ref: 3 });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe("errors by value", () => {
  const roundTrip = (err: unknown, includeStack = true) => {
    const wire = toWireError(err, includeStack, (v) => v);
    return fromWireError(wire, lookupErrorClass, (v) => v);
  };

  it("rebuilds built-in classes as themselves", () => {
    for (const Cls of [
      Error,
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
    ]) {
      const back = roundTrip(new Cls("boom"));
      expect(back).toBeInstanceOf(Cls);
      expect(back.message).toBe("boom");
    }
    const agg = roundTrip(new AggregateError([new Error("a")], "many")) as AggregateError;
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0]).toBeInstanceOf(Error);
  });

  it("keeps code, cause, own properties and the stack (unless withheld)", () => {
    const err = Object.assign(new Error("bad", { cause: new RangeError("inner") }), {
      code: "E_BAD",
      detail: { n: 1 },
    });
    const back = roundTrip(err) as Error & { code: string; detail: unknown };
    expect(back.code).toBe("E_BAD");
    expect(back.detail).toEqual({ n: 1 });
    expect(back.cause).toBeInstanceOf(RangeError);
    expect(back.stack).toBe(err.stack);
    expect(roundTrip(err, false).stack).not.toBe(err.stack);
  });

  it("rebuilds registered classes, and unknown ones as RemoteError", () => {
    class ValidationError extends Error {
      override name = "ValidationError";
      field = "";
    }
    const unknownErr = roundTrip(Object.assign(new ValidationError("no"), { field: "age" }));
    expect(unknownErr).toBeInstanceOf(RemoteError);
    expect((unknownErr as RemoteError).remoteName).toBe("ValidationError");
    registerError(ValidationError);
    const back = roundTrip(
      Object.assign(new ValidationError("no"), { field: "age" }),
    ) as ValidationError;
    expect(back).toBeInstanceOf(ValidationError);
    expect(back.name).toBe("ValidationError");
    expect(back.field).toBe("age");
  });

  it("ignores hostile error names that are not classes", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const back = fromWireError(new WireError(name, "m"), lookupErrorClass, (v) => v);
      expect(back).toBeInstanceOf(RemoteError);
    }
  });

  it("wraps a thrown non-error", () => {
    const back = roundTrip("just a string");
    expect(back.message).toMatch(/non-error thrown: "just a string"/);
    expect(back.cause).toBe("just a string");
  });
});
