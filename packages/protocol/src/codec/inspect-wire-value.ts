/**
 * The encoder's walk over a wire-value tree, before cbor-x writes it. One pass that:
 * - rejects what is not a wire value (functions, symbols, class instances, raw `Error`s, cycles)
 *   and trees deeper or longer than the limits, with an error naming the path;
 * - notices shared objects (the same object twice), so the codec turns cbor-x's value sharing
 *   (tags 28/29) on only for messages that need it (it costs a Map lookup per object);
 * - notices the rare values cbor-x cannot write faithfully (-0, an own "__proto__" key, bigints
 *   beyond 64 bits) so that `rewriteRareValues` (rewrite-rare-values.ts) can replace them.
 * Depth is counted as the decoder counts it (see scan-cbor.ts): every container and tag is 1,
 * Map/Set/WireError/RegExp are 2 (a tag around an array or map).
 */
import { ProtocolError, RPYC_ERR_UNSUPPORTED_VALUE } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "../limits.ts";
import { WireError, WireRef } from "../messages.ts";
import { isLocalView } from "./rewrite-rare-values.ts";

/** What the walk found out about a tree. */
export interface ValueFacts {
  /** Some object occurs twice: encode with value sharing to keep its identity. */
  shared: boolean;
  /** Some value needs `rewriteRareValues` before cbor-x may write it. */
  rare: boolean;
}

const MAX_U64 = (1n << 64n) - 1n;
/** Objects seen are kept in a small array first (fast for typical messages), then in a Set. */
const SMALL = 16;
/** cbor-x writes value-sharing ids as 16-bit integers. */
const MAX_SHARED = 0xffff;
/** cbor-x writes the size of a plain object as a 16-bit integer. */
const MAX_OBJECT_KEYS = 0xffff;

class Walk {
  facts: ValueFacts = { shared: false, rare: false };
  limits: Limits = DEFAULT_LIMITS;
  // Every object met so far (to notice sharing), and the containers being walked (a cycle is
  // meeting one of those again).
  readonly seenList: (object | undefined)[] = [];
  seenCount = 0;
  seenSet: Set<object> | undefined;
  sharedHits = 0;
  readonly ancestors: object[] = [];
  // The keys leading to the value being walked, for error messages (strings are never built on
  // the happy path).
  readonly path: (string | number)[] = [];

  // NOTE: `array.length = 0` is a slow runtime call in V8; the hot path avoids it.
  reset(failed: boolean): void {
    const list = this.seenList;
    for (let i = 0; i < this.seenCount; i++) list[i] = undefined; // do not retain the message
    this.seenCount = 0;
    this.seenSet = undefined;
    this.sharedHits = 0;
    if (failed) {
      this.ancestors.length = 0;
      this.path.length = 0;
    }
  }

  fail(what: string): never {
    let where = "message";
    for (const key of this.path) where += typeof key === "number" ? `[${key}]` : `.${key}`;
    throw new ProtocolError(RPYC_ERR_UNSUPPORTED_VALUE, `cannot encode ${what} at ${where}`);
  }

  member(value: unknown, key: string | number, depth: number): void {
    this.path.push(key);
    this.value(value, depth);
    this.path.pop();
  }

  enter(depth: number): void {
    if (depth > this.limits.maxDepth) {
      this.fail(`a value nested deeper than maxDepth (${this.limits.maxDepth})`);
    }
  }

  length(size: number, limit: number, name: string): void {
    if (size > limit) this.fail(`a value of ${size} elements or bytes (over ${name}, ${limit})`);
  }

  /** Records `value` as seen; false if it was seen before (shared, or a cycle: fails). */
  firstVisit(value: object): boolean {
    let seen = false;
    if (this.seenSet !== undefined) {
      seen = this.seenSet.has(value);
      if (!seen) this.seenSet.add(value);
    } else {
      const list = this.seenList;
      const count = this.seenCount;
      for (let i = 0; i < count; i++) {
        if (list[i] === value) {
          seen = true;
          break;
        }
      }
      if (!seen) {
        list[count] = value;
        this.seenCount = count + 1;
        if (count + 1 >= SMALL) this.seenSet = new Set(list.slice(0, count + 1) as object[]);
      }
    }
    if (!seen) return true;
    if (this.ancestors.includes(value)) {
      this.fail("a cyclic value (an object that contains itself)");
    }
    this.facts.shared = true;
    // cbor-x numbers shared objects with 16-bit ids: refuse what it would get wrong.
    if (++this.sharedHits > MAX_SHARED) {
      this.fail(
        `more than ${MAX_SHARED} repeated objects in one message (send copies, or split it)`,
      );
    }
    return false;
  }

  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case "number":
        if (value === 0 && 1 / value < 0) {
          this.enter(depth + 1);
          this.facts.rare = true;
        }
        return;
      case "string":
        // UTF-8 takes at least one byte per UTF-16 unit and at most three.
        if (value.length * 3 > this.limits.maxStringBytes) {
          this.length(
            new TextEncoder().encode(value).length,
            this.limits.maxStringBytes,
            "maxStringBytes",
          );
        }
        return;
      case "boolean":
      case "undefined":
        return;
      case "bigint":
        if (value > MAX_U64 || value < -MAX_U64 - 1n) {
          this.enter(depth + 1);
          this.facts.rare = true;
        }
        return;
      case "object":
        if (value !== null && this.firstVisit(value)) this.object(value, depth);
        return;
      default:
        this.fail(`a ${typeof value} (box it as a reference first)`);
    }
  }

  object(value: object, depth: number): void {
    if (Array.isArray(value)) {
      this.enter(depth + 1);
      this.length(value.length, this.limits.maxArrayLength, "maxArrayLength");
      // cbor-x writes an array whose constructor is not our Array (another realm's, a
      // subclass) as an indefinite-length item, which receivers refuse: copy it first.
      if (Object.getPrototypeOf(value) !== Array.prototype) this.facts.rare = true;
      this.ancestors.push(value);
      for (let i = 0; i < value.length; i++) this.member(value[i], i, depth + 1);
      this.ancestors.pop();
    } else if (value instanceof WireRef) {
      this.enter(depth + 1);
      if (!Number.isInteger(value.id) || value.id < 0 || value.id > 0xffff_ffff) {
        this.fail(`a WireRef with id ${value.id} (ids are uint32)`);
      }
    } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      this.enter(depth + 1);
      this.length(value.byteLength, this.limits.maxBytesLength, "maxBytesLength");
      // Another realm's typed array or DataView: cbor-x knows only ours (see above).
      if (ArrayBuffer.isView(value) && !isLocalView(value)) this.facts.rare = true;
    } else if (value instanceof Date) {
      this.enter(depth + 1);
    } else if (value instanceof RegExp) {
      this.enter(depth + 2);
    } else if (value instanceof WireError) {
      this.wireError(value, depth);
    } else if (value instanceof Map) {
      this.enter(depth + 2);
      this.length(value.size, this.limits.maxMapSize, "maxMapSize");
      this.ancestors.push(value);
      for (const [key, member] of value) {
        this.member(key, "<map key>", depth + 2);
        this.member(member, "<map value>", depth + 2);
      }
      this.ancestors.pop();
    } else if (value instanceof Set) {
      this.enter(depth + 2);
      this.length(value.size, this.limits.maxArrayLength, "maxArrayLength");
      this.ancestors.push(value);
      for (const member of value) this.member(member, "<set member>", depth + 2);
      this.ancestors.pop();
    } else {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name =
          (value as { constructor?: { name?: string } }).constructor?.name ?? "unknown class";
        this.fail(
          `an instance of ${name} (only plain data goes by value: box it as a reference or a WireError)`,
        );
      }
      this.ancestors.push(value);
      this.plainObject(value, depth);
      this.ancestors.pop();
    }
  }

  wireError(error: WireError, depth: number): void {
    this.enter(depth + 2);
    const { name, message, stack, props } = error;
    if (typeof name !== "string" || typeof message !== "string") {
      this.fail("a WireError whose name or message is not a string");
    }
    if (stack !== undefined && typeof stack !== "string") {
      this.fail("a WireError whose stack is not a string");
    }
    this.ancestors.push(error);
    this.member(error.code, "code", depth + 2);
    this.member(error.cause, "cause", depth + 2);
    if (props !== undefined) {
      this.path.push("props");
      const proto: unknown =
        typeof props === "object" && props !== null ? Object.getPrototypeOf(props) : undefined;
      if (proto !== Object.prototype && proto !== null)
        this.fail("a WireError whose props is not a plain object");
      if (this.firstVisit(props)) {
        this.ancestors.push(props);
        this.plainObject(props, depth + 2);
        this.ancestors.pop();
      }
      this.path.pop();
    }
    this.ancestors.pop();
  }

  plainObject(value: object, depth: number): void {
    this.enter(depth + 1);
    const keys = Object.keys(value);
    this.length(keys.length, this.limits.maxMapSize, "maxMapSize");
    // cbor-x writes a plain object's size in 2 bytes: more keys would corrupt the message.
    if (keys.length > MAX_OBJECT_KEYS) {
      this.fail(
        `a plain object of ${keys.length} keys (at most ${MAX_OBJECT_KEYS}: send a Map, or split it)`,
      );
    }
    for (const key of keys) {
      if (key === "__proto__") {
        this.enter(depth + 2);
        this.facts.rare = true;
      }
      this.member((value as Record<string, unknown>)[key], key, depth + 1);
    }
  }
}

/**
 * Walks a message in its wire layout (`[kind, …fields]`, a fresh array that is not itself
 * tracked) and reports what the encoder must know. Throws `ProtocolError`
 * `RPYC_ERR_UNSUPPORTED_VALUE` for anything that is not a wire value.
 *
 * @example
 * const facts = inspectWireValue([1, 0, 4, ref, "add", [1, 2]], DEFAULT_LIMITS);
 */
export function inspectWireValue(wire: readonly unknown[], limits: Limits): ValueFacts {
  // Reuse one Walk (its arrays) across calls; a nested call (a getter that encodes while being
  // encoded) gets a fresh one.
  const walk = idleWalk ?? new Walk();
  idleWalk = undefined;
  walk.limits = limits;
  const facts: ValueFacts = (walk.facts = { shared: false, rare: false });
  let failed = true;
  try {
    for (let i = 0; i < wire.length; i++) walk.member(wire[i], i, 1);
    failed = false;
  } finally {
    walk.reset(failed);
    idleWalk = walk;
  }
  return facts;
}

let idleWalk: Walk | undefined;
