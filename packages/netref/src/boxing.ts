/**
 * Boxing: user values ⇄ wire values (ARCHITECTURE §4).
 *
 * By value: primitives, bytes (typed arrays, ArrayBuffer, DataView), Date, RegExp, and — member
 * by member — arrays, plain objects, Map and Set. Errors by value as `WireError`. Everything else
 * (functions, class instances, Services, `byRef` values, netrefs, `restricted` views) by
 * reference, through the session's `boxRef`.
 *
 * Allocation contract (hot path): a container whose members all box to themselves is sent as is
 * (no copy); a copy is made only from the first member that changes. Unboxing works in place on
 * the decoder's output, which the connection owns. Arguments that are all primitives allocate
 * nothing at all.
 *
 * Identity and cycles: within one message, the same container boxes to the same output object,
 * so a codec that keeps shared structure keeps identity; a cycle is refused with a `BoxingError`
 * unless the codec can carry it (`allowCycles`). Nesting deeper than `maxDepth` is refused, so
 * no input can overflow the stack.
 */
import { WireError, WireRef } from "@rpyc/protocol";
import { BoxingError } from "./errors.ts";
import { type ErrorClassLookup, fromWireError, toWireError } from "./error-boxing.ts";
import { isByRef } from "./markers.ts";
import {
  type ForeignKind,
  foreignKind,
  isLocalView,
  localLeaf,
  mapEntries,
  setMembers,
} from "./other-realm.ts";

/**
 * What a boxing walk needs from its session.
 *
 * @example
 * box(value, { boxRef: (o) => new WireRef(RefKind.Mine, table.export(o)), includeStack: true, maxDepth: 64, allowCycles: false });
 */
export interface BoxHooks {
  /** Boxes an object or function that goes by reference (export, or `Yours`/`Pending` ref). */
  boxRef(value: object): WireRef;
  /** Send error stacks (config `includeRemoteStack`). */
  readonly includeStack: boolean;
  /** Deepest nesting accepted. */
  readonly maxDepth: number;
  /** The codec keeps shared structure and cycles (otherwise a cycle is a `BoxingError`). */
  readonly allowCycles: boolean;
}

/**
 * What an unboxing walk needs from its session.
 *
 * @example
 * unbox(wire, { unboxRef: (ref) => lookup(ref), errorClass: lookupErrorClass });
 */
export interface UnboxHooks {
  /** Turns a wire reference into a netref, the original object, or a pipelined value. */
  unboxRef(ref: WireRef): unknown;
  /** Classes remote errors are rebuilt as. */
  readonly errorClass: ErrorClassLookup;
}

/**
 * True for values that are always sent as they are.
 *
 * @example
 * isPrimitive(1n); // true
 */
export function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== "object" && typeof value !== "function");
}

/** Local leaves only: another realm's bytes, dates and regexps are copied by the walk. */
function isLeafObject(value: object): boolean {
  return (
    (ArrayBuffer.isView(value) && isLocalView(value)) ||
    value instanceof ArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp
  );
}

/**
 * Boxes call arguments. All-primitive arguments are returned as is (no allocation); functions
 * and leaf values (byte arrays, dates…) are boxed without the full walk.
 *
 * @example
 * boxArgs([1, "a"], hooks); // the same array: nothing to box
 */
export function boxArgs(args: readonly unknown[], hooks: BoxHooks): readonly unknown[] {
  // A Proxy trap called from another realm (a vm context, a REPL) receives that realm's array.
  if (Object.getPrototypeOf(args) !== Array.prototype) args = localArray(args);
  let functions = 0;
  for (const arg of args) {
    if (isPrimitive(arg)) {
      if (typeof arg === "symbol") return box(args, hooks) as unknown[]; // throws, with its message
    } else if (typeof arg === "function") {
      functions++; // boxed like the walk does: one reference per occurrence
    } else if (!isLeafObject(arg as object)) {
      // Containers, errors, byRef(…): the full walk. Decided before anything is exported, so
      // nothing is exported twice.
      return box(args, hooks) as unknown[];
    }
  }
  if (functions === 0) return args;
  // The common callback argument: one reference each, no walk.
  const out = args.slice();
  for (let i = 0; i < out.length; i++) {
    if (typeof out[i] === "function") out[i] = hooks.boxRef(out[i] as object);
  }
  return out;
}

/**
 * Boxes one value for the wire. Throws `BoxingError` for what cannot be sent.
 *
 * @example
 * const wire = box({ n: 1, cb: () => 1 }, hooks); // { n: 1, cb: <WireRef mine 1> }
 */
export function box(value: unknown, hooks: BoxHooks): unknown {
  if (isPrimitive(value)) {
    if (typeof value === "symbol") throw new BoxingError("a symbol cannot cross the wire");
    return value;
  }
  return new BoxWalk(hooks).walk(value as object, 0);
}

class BoxWalk {
  readonly #done = new Map<object, unknown>();
  readonly #inProgress = new Set<object>();
  constructor(readonly hooks: BoxHooks) {}

  walk(value: object, depth: number): unknown {
    if (typeof value === "function") return this.hooks.boxRef(value);
    if (isLeafObject(value)) return value;
    const known = this.#done.get(value);
    if (known !== undefined) return known;
    if (this.#inProgress.has(value)) {
      if (!this.hooks.allowCycles) {
        throw new BoxingError(
          "the value contains a cycle, which cannot be sent; break the cycle or send it byRef()",
        );
      }
      return value; // the codec carries the cycle
    }
    if (value instanceof Error)
      return this.#remember(
        value,
        toWireError(value, this.hooks.includeStack, (v) => this.member(v, depth + 1)),
      );
    if (isByRef(value)) return this.#remember(value, this.hooks.boxRef(value));
    if (depth >= this.hooks.maxDepth) {
      throw new BoxingError(
        `the value is nested deeper than ${this.hooks.maxDepth} levels (limit maxDepth)`,
      );
    }
    const proto: unknown = Object.getPrototypeOf(value);
    this.#inProgress.add(value);
    let out: unknown;
    if (proto === Array.prototype) out = this.#array(value as unknown[], depth);
    else if (proto === Object.prototype || proto === null)
      out = this.#object(value as Record<string, unknown>, depth);
    else if (proto === Map.prototype) out = this.#map(value as Map<unknown, unknown>, depth);
    else if (proto === Set.prototype) out = this.#set(value as Set<unknown>, depth);
    else {
      const kind = foreignKind(value);
      out = kind === undefined ? this.hooks.boxRef(value) : this.#foreign(value, kind, depth);
    }
    this.#inProgress.delete(value);
    return this.#remember(value, out);
  }

  #remember(value: object, out: unknown): unknown {
    this.#done.set(value, out);
    return out;
  }

  member(value: unknown, depth: number): unknown {
    if (isPrimitive(value)) {
      if (typeof value === "symbol") throw new BoxingError("a symbol cannot cross the wire");
      return value;
    }
    return this.walk(value as object, depth);
  }

  /** A value made in another realm, boxed as ours would be (always a local copy). */
  #foreign(value: object, kind: ForeignKind, depth: number): unknown {
    switch (kind) {
      case "array":
        return this.#array(value as unknown[], depth, true);
      case "object":
        return this.#object(value as Record<string, unknown>, depth, true);
      case "map":
        return new Map(
          mapEntries(value).map(([k, v]) => [this.member(k, depth + 1), this.member(v, depth + 1)]),
        );
      case "set":
        return new Set(setMembers(value).map((v) => this.member(v, depth + 1)));
      case "error":
        return toWireError(value, this.hooks.includeStack, (v) => this.member(v, depth + 1));
      default:
        return localLeaf(value, kind);
    }
  }

  /** `copy`: always return a new (local) array, even when no member changed. */
  #array(input: unknown[], depth: number, copy = false): unknown[] {
    let out: unknown[] | undefined = copy ? [] : undefined;
    for (let i = 0; i < input.length; i++) {
      const item = input[i];
      const boxed = this.member(item, depth + 1);
      if (out === undefined && boxed !== item) out = input.slice(0, i);
      if (out !== undefined) out.push(boxed);
    }
    return out ?? input;
  }

  #object(input: Record<string, unknown>, depth: number, copy = false): Record<string, unknown> {
    let out: Record<string, unknown> | undefined = copy ? {} : undefined;
    const keys = Object.keys(input);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = input[key];
      const boxed = this.member(item, depth + 1);
      if (out === undefined && boxed !== item) {
        out = {};
        for (let j = 0; j < i; j++) setOwn(out, keys[j]!, input[keys[j]!]);
      }
      if (out !== undefined) setOwn(out, key, boxed);
    }
    return out ?? input;
  }

  #map(input: Map<unknown, unknown>, depth: number): Map<unknown, unknown> {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [key, item] of input) {
      const boxedKey = this.member(key, depth + 1);
      const boxedItem = this.member(item, depth + 1);
      if (boxedKey !== key || boxedItem !== item) changed = true;
      entries.push([boxedKey, boxedItem]);
    }
    return changed ? new Map(entries) : input;
  }

  #set(input: Set<unknown>, depth: number): Set<unknown> {
    let changed = false;
    const items: unknown[] = [];
    for (const item of input) {
      const boxed = this.member(item, depth + 1);
      if (boxed !== item) changed = true;
      items.push(boxed);
    }
    return changed ? new Set(items) : input;
  }
}

function localArray(args: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) out[i] = args[i];
  return out;
}

/** Sets an own property, even one named "__proto__" (never touching a prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** Unboxes call arguments in place. All-primitive arguments are returned as is. */
export function unboxArgs(args: readonly unknown[], hooks: UnboxHooks): unknown[] {
  for (let i = 0; i < args.length; i++) {
    if (!isPrimitive(args[i])) return unbox(args, hooks) as unknown[];
  }
  return args as unknown[];
}

/**
 * Unboxes one decoded wire value, in place where it can (the decoder's output belongs to the
 * connection). References become netrefs or original objects; `WireError`s become errors.
 *
 * @example
 * const value = unbox(decoded.value, hooks);
 */
export function unbox(value: unknown, hooks: UnboxHooks): unknown {
  if (isPrimitive(value)) return value;
  return new UnboxWalk(hooks).walk(value as object);
}

class UnboxWalk {
  readonly #seen = new Map<object, unknown>();
  constructor(readonly hooks: UnboxHooks) {}

  walk(value: object): unknown {
    if (value instanceof WireRef) return this.hooks.unboxRef(value);
    if (value instanceof WireError) {
      return fromWireError(value, this.hooks.errorClass, (v) => this.member(v));
    }
    if (isLeafObject(value)) return value;
    const seen = this.#seen.get(value);
    if (seen !== undefined) return seen;
    if (Array.isArray(value)) {
      this.#seen.set(value, value);
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (!isPrimitive(item)) value[i] = this.walk(item as object);
      }
      return value;
    }
    if (value instanceof Map) {
      this.#seen.set(value, value);
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [key, item] of value) {
        const k = this.member(key);
        const v = this.member(item);
        if (k !== key || v !== item) changed = true;
        entries.push([k, v]);
      }
      if (!changed) return value;
      const out = new Map(entries);
      this.#seen.set(value, out);
      return out;
    }
    if (value instanceof Set) {
      this.#seen.set(value, value);
      let changed = false;
      const items: unknown[] = [];
      for (const item of value) {
        const v = this.member(item);
        if (v !== item) changed = true;
        items.push(v);
      }
      if (!changed) return value;
      const out = new Set(items);
      this.#seen.set(value, out);
      return out;
    }
    // A decoded plain object.
    this.#seen.set(value, value);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (!isPrimitive(item)) setOwn(record, key, this.walk(item as object));
    }
    return value;
  }

  member(value: unknown): unknown {
    return isPrimitive(value) ? value : this.walk(value as object);
  }
}

/**
 * Calls `visit` for every `WireRef` in a wire value (errors' causes and properties included),
 * without changing anything. Used to account for values that will never be delivered.
 */
export function forEachRef(value: unknown, visit: (ref: WireRef) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (isPrimitive(item) || seen.has(item as object)) continue;
    seen.add(item as object);
    if (item instanceof WireRef) visit(item);
    else if (item instanceof WireError) stack.push(item.code, item.cause, item.props);
    else if (isLeafObject(item as object) || typeof item === "function") continue;
    else if (Array.isArray(item)) stack.push(...(item as unknown[]));
    else if (item instanceof Map) for (const [k, v] of item) stack.push(k, v);
    else if (item instanceof Set) for (const v of item) stack.push(v);
    else if (
      Object.getPrototypeOf(item) === Object.prototype ||
      Object.getPrototypeOf(item) === null
    ) {
      for (const key of Object.keys(item as object))
        stack.push((item as Record<string, unknown>)[key]);
    }
  }
}
