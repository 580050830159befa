/**
 * Values made in another realm: a `vm` context, a REPL started with its own context, an iframe.
 * Their prototypes are that realm's intrinsics (its `Array.prototype`, its `Map.prototype`…),
 * so `instanceof` and prototype comparisons with ours fail on them, and cbor-x (which compares
 * constructors) would write another realm's array as an indefinite-length item. Boxing must
 * treat them exactly like ours: an array is copied, a class instance goes by reference, whatever
 * realm made it.
 *
 * Recognition never trusts a name or a method of the value itself: a built-in is identified by
 * its internal slots, through *our* intrinsics' brand-checking methods (`Map.prototype.forEach`
 * throws unless its receiver has a [[MapData]] slot, whatever its realm), and its prototype must
 * be the other realm's own intrinsic (directly below that realm's `Object.prototype`), so a
 * subclass (`class Queue extends Map` in a vm) stays a class instance and goes by reference, as
 * it does here.
 *
 * Only values whose prototype chain does not end at our `Object.prototype` are looked at, so
 * local values pay one short chain walk at most (and only on paths that were about to export a
 * reference anyway).
 */

/** What a value of another realm is, for boxing. */
export type ForeignKind =
  "array" | "object" | "map" | "set" | "date" | "regexp" | "error" | "bytes";

/** Longest prototype chain looked at (longer ones are treated as class instances). */
const MAX_CHAIN = 64;

function brand(check: (value: object) => unknown, value: object): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

const getter = (proto: object, key: PropertyKey) =>
  Object.getOwnPropertyDescriptor(proto, key)!.get! as (this: unknown) => unknown;

// Our intrinsics' brand checks (each throws a TypeError for a receiver without the slot).
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayName = getter(TypedArrayPrototype, Symbol.toStringTag);
const arrayBufferLength = getter(ArrayBuffer.prototype, "byteLength");
const isMap = (value: object) => getter(Map.prototype, "size").call(value);
const isSet = (value: object) => getter(Set.prototype, "size").call(value);
const isDate = (value: object) => Date.prototype.getTime.call(value);
const isRegExp = (value: object) => getter(RegExp.prototype, "source").call(value);

/** The last object of `value`'s prototype chain (its realm's `Object.prototype`, usually). */
function chainRoot(proto: object): object | undefined {
  let root = proto;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = Object.getPrototypeOf(root) as object | null;
    if (next === null) return root;
    root = next;
  }
  return undefined;
}

/** True when `root` is some realm's `Object.prototype` (its own constructor is that `Object`). */
function isObjectPrototype(root: object): boolean {
  const ctor = Object.getOwnPropertyDescriptor(root, "constructor")?.value as unknown;
  return (
    typeof ctor === "function" &&
    ctor.name === "Object" &&
    Object.getOwnPropertyDescriptor(ctor, "prototype")?.value === root
  );
}

/** The name of the constructor `proto` declares as its own (intrinsics do: "Map", "Date"…). */
function ownConstructorName(proto: object): string | undefined {
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as unknown;
  return typeof ctor === "function" ? ctor.name : undefined;
}

/**
 * What `value`, made in another realm, is for boxing; undefined for values of this realm and
 * for another realm's class instances (and functions), which go by reference as ours do.
 *
 * @example
 * foreignKind(vm.runInNewContext("[1, 2]")); // "array"
 * foreignKind([1, 2]); // undefined: ours
 */
export function foreignKind(value: object): ForeignKind | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null) return undefined; // no realm to tell: a null-prototype object is plain
  const root = chainRoot(proto);
  if (root === undefined || root === Object.prototype || !isObjectPrototype(root)) return undefined;
  if (proto === root) return "object";
  if (Array.isArray(value)) return Array.isArray(proto) ? "array" : undefined; // only that realm's Array.prototype is an array
  if (ArrayBuffer.isView(value) || brand((v) => arrayBufferLength.call(v), value)) return "bytes";
  if (Object.prototype.toString.call(value) === "[object Error]") {
    // [[ErrorData]], unless a Symbol.toStringTag lies: then it is some class instance.
    return (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === undefined
      ? "error"
      : undefined;
  }
  if (Object.getPrototypeOf(proto) !== root) return undefined; // a subclass: a class instance
  const name = ownConstructorName(proto);
  if (name === "Map" && brand(isMap, value)) return "map";
  if (name === "Set" && brand(isSet, value)) return "set";
  if (name === "Date" && brand(isDate, value)) return "date";
  if (name === "RegExp" && brand(isRegExp, value)) return "regexp";
  return undefined;
}

/**
 * True for errors of any realm (`instanceof Error` here, or [[ErrorData]] made elsewhere).
 *
 * @example
 * isAnyError(vm.runInNewContext("new TypeError('x')")); // true
 */
export function isAnyError(value: unknown): value is Error {
  if (value instanceof Error) return true;
  return typeof value === "object" && value !== null && foreignKind(value) === "error";
}

/**
 * A local copy of a leaf value of another realm: a `Date`, a `RegExp`, or bytes (a typed array
 * or DataView becomes a local view of the same memory; an ArrayBuffer is copied).
 *
 * @example
 * localLeaf(vm.runInNewContext("new Date(5)"), "date"); // a Date of this realm
 */
export function localLeaf(value: object, kind: "date" | "regexp" | "bytes"): object {
  if (kind === "date") return new Date(Date.prototype.getTime.call(value));
  if (kind === "regexp") return new RegExp(value as RegExp);
  if (!ArrayBuffer.isView(value)) return new Uint8Array(value as ArrayBuffer).slice().buffer;
  const name = typedArrayName.call(value) as string | undefined;
  if (name === undefined) return new DataView(value.buffer, value.byteOffset, value.byteLength);
  const Local = (globalThis as unknown as Record<string, new (...a: unknown[]) => object>)[name]!;
  const view = value as unknown as { buffer: ArrayBufferLike; byteOffset: number; length: number };
  return new Local(view.buffer, view.byteOffset, view.length);
}

/** True for our typed arrays and DataViews (of any subclass); false for another realm's. */
export function isLocalView(value: ArrayBufferView): boolean {
  return (
    value instanceof (TypedArrayPrototype.constructor as typeof Uint8Array) ||
    value instanceof DataView
  );
}

/** A Map's entries, read through our intrinsic (the value's own methods are not trusted). */
export function mapEntries(value: object): [unknown, unknown][] {
  const entries: [unknown, unknown][] = [];
  Map.prototype.forEach.call(value, (item: unknown, key: unknown) => entries.push([key, item]));
  return entries;
}

/** A Set's members, read through our intrinsic. */
export function setMembers(value: object): unknown[] {
  const members: unknown[] = [];
  Set.prototype.forEach.call(value, (item: unknown) => members.push(item));
  return members;
}
