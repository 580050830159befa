/**
 * The slow path of encoding, for the rare values cbor-x cannot write faithfully: a copy of the
 * tree with each of them replaced by a tagged stand-in (see wire-tags.ts). Only messages that
 * `inspectWireValue` flagged as `rare` take it.
 */
import { WireError } from "../messages.ts";
import { BigNum, NEGATIVE_ZERO, ReservedKeyObject } from "./wire-tags.ts";

const MAX_U64 = (1n << 64n) - 1n;

const TypedArray = Object.getPrototypeOf(Uint8Array) as typeof Uint8Array;
const typedArrayName = Object.getOwnPropertyDescriptor(TypedArray.prototype, Symbol.toStringTag)!
  .get! as (this: unknown) => string | undefined;

/** True for this realm's typed arrays and DataViews (cbor-x writes no others correctly). */
export function isLocalView(value: ArrayBufferView): boolean {
  return value instanceof TypedArray || value instanceof DataView;
}

/** A view of this realm over the same memory as another realm's typed array or DataView. */
function localView(value: ArrayBufferView): ArrayBufferView {
  const name = typedArrayName.call(value);
  if (name === undefined) return new DataView(value.buffer, value.byteOffset, value.byteLength);
  const Local = (globalThis as unknown as Record<string, typeof Uint8Array>)[name]!;
  const { length } = value as Uint8Array;
  return new Local(value.buffer as ArrayBuffer, value.byteOffset, length);
}

/**
 * A copy of `value` in which -0, objects with an own "__proto__" key and bigints beyond 64 bits
 * are replaced by their tagged stand-ins, and arrays and typed arrays that are not this realm's
 * by ours. Shared objects stay shared (one copy each). Only
 * called when `inspectWireValue` reported `rare`, so the tree is known to be acyclic.
 *
 * @example
 * const ready = facts.rare ? rewriteRareValues(wire) : wire;
 */
export function rewriteRareValues(value: unknown, copies = new Map<object, unknown>()): unknown {
  if (typeof value === "number") return value === 0 && 1 / value < 0 ? NEGATIVE_ZERO : value;
  if (typeof value === "bigint") {
    return value > MAX_U64 || value < -MAX_U64 - 1n ? BigNum.from(value) : value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (ArrayBuffer.isView(value)) return isLocalView(value) ? value : localView(value);
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const member of value) copy.push(rewriteRareValues(member, copies));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    copies.set(value, copy);
    for (const [key, member] of value)
      copy.set(rewriteRareValues(key, copies), rewriteRareValues(member, copies));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    copies.set(value, copy);
    for (const member of value) copy.add(rewriteRareValues(member, copies));
    return copy;
  }
  if (value instanceof WireError) {
    const copy = new WireError(
      value.name,
      value.message,
      rewriteRareValues(value.code, copies),
      value.stack,
      rewriteRareValues(value.cause, copies),
      value.props === undefined
        ? undefined
        : (rewritePlain(value.props, copies) as Record<string, unknown>),
    );
    copies.set(value, copy);
    return copy;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return rewritePlain(value, copies);
  return value; // leaves: WireRef, Date, RegExp, byte containers
}

function rewritePlain(value: object, copies: Map<object, unknown>): unknown {
  const keys = Object.keys(value);
  if (keys.includes("__proto__")) {
    const entries: unknown[] = [];
    const copy = new ReservedKeyObject(entries);
    copies.set(value, copy);
    for (const key of keys)
      entries.push(key, rewriteRareValues((value as Record<string, unknown>)[key], copies));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const key of keys)
    copy[key] = rewriteRareValues((value as Record<string, unknown>)[key], copies);
  return copy;
}
