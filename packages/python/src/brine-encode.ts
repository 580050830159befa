/**
 * Brine encoding: JS values → bytes (see `python-values.ts` for the mapping). Pure. A value
 * brine cannot carry (an object, a function, a cycle, a tuple nested past `maxDepth`) throws
 * `BrineError` (`RPYC_ERR_BRINE_UNSUPPORTED`); `isBrineable` answers the question first.
 */
import { DEFAULT_BRINE_LIMITS, type BrineLimits } from "./brine-limits.ts";
import { IMM_INT_BIAS, IMM_INT_MAX, IMM_INT_MIN, Tag } from "./brine-tags.ts";
import { BrineError, RPYC_ERR_BRINE_LIMIT, RPYC_ERR_BRINE_UNSUPPORTED } from "./errors.ts";
import {
  PY_ELLIPSIS,
  PY_NOT_IMPLEMENTED,
  PyComplex,
  PyFloat,
  PyFrozenSet,
  PySlice,
} from "./python-values.ts";

const utf8 = new TextEncoder();

class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  pos = 0;
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

function bytes(w: Writer, b: Uint8Array): void {
  const n = b.length;
  if (n === 0) return w.u8(Tag.EMPTY_BYTES);
  if (n <= 4) w.u8(Tag.BYTES1 + n - 1);
  else if (n < 256) {
    w.u8(Tag.BYTES_L1);
    w.u8(n);
  } else {
    w.u8(Tag.BYTES_L4);
    w.u32(n);
  }
  w.raw(b);
}

function int(w: Writer, v: bigint | number): void {
  if (typeof v === "number" && v >= IMM_INT_MIN && v <= IMM_INT_MAX) return w.u8(v + IMM_INT_BIAS);
  const digits = utf8.encode(String(v));
  if (digits.length < 256) {
    w.u8(Tag.INT_L1);
    w.u8(digits.length);
  } else {
    w.u8(Tag.INT_L4);
    w.u32(digits.length);
  }
  w.raw(digits);
}

function tuple(w: Writer, items: readonly unknown[], depth: number, limits: BrineLimits): void {
  const n = items.length;
  if (n > limits.maxTupleItems) {
    throw new BrineError(
      RPYC_ERR_BRINE_LIMIT,
      `a tuple of ${n} items is over maxTupleItems (${limits.maxTupleItems})`,
    );
  }
  if (n === 0) return w.u8(Tag.EMPTY_TUPLE);
  if (n <= 4) w.u8(Tag.TUP1 + n - 1);
  else if (n < 256) {
    w.u8(Tag.TUP_L1);
    w.u8(n);
  } else {
    w.u8(Tag.TUP_L4);
    w.u32(n);
  }
  for (const item of items) value(w, item, depth + 1, limits);
}

function value(w: Writer, v: unknown, depth: number, limits: BrineLimits): void {
  if (depth > limits.maxDepth) {
    throw new BrineError(
      RPYC_ERR_BRINE_UNSUPPORTED,
      `value nested deeper than maxDepth (${limits.maxDepth}), or a cycle`,
    );
  }
  if (v === null || v === undefined) return w.u8(Tag.NONE);
  switch (typeof v) {
    case "boolean":
      return w.u8(v ? Tag.TRUE : Tag.FALSE);
    case "number":
      if (Number.isSafeInteger(v)) return int(w, v);
      w.u8(Tag.FLOAT);
      return w.f64(v);
    case "bigint":
      return int(w, v);
    case "string":
      w.u8(Tag.STR);
      return bytes(w, utf8.encode(v));
    case "symbol":
      if (v === PY_NOT_IMPLEMENTED) return w.u8(Tag.NOT_IMPLEMENTED);
      if (v === PY_ELLIPSIS) return w.u8(Tag.ELLIPSIS);
      break;
    case "object":
      if (v instanceof Uint8Array) return bytes(w, v);
      if (Array.isArray(v)) return tuple(w, v, depth, limits);
      if (v instanceof PyFloat) {
        w.u8(Tag.FLOAT);
        return w.f64(v.value);
      }
      if (v instanceof PySlice) {
        w.u8(Tag.SLICE);
        return tuple(w, [v.start, v.stop, v.step], depth, limits);
      }
      if (v instanceof PyFrozenSet) {
        w.u8(Tag.FROZENSET);
        return tuple(w, v.items, depth, limits);
      }
      if (v instanceof PyComplex) {
        w.u8(Tag.COMPLEX);
        w.f64(v.real);
        return w.f64(v.imag);
      }
      break;
    case "function":
    case "undefined":
      break;
  }
  throw new BrineError(
    RPYC_ERR_BRINE_UNSUPPORTED,
    `brine cannot carry a ${describe(v)} by value (send it by reference, or convert it)`,
  );
}

function describe(v: unknown): string {
  if (typeof v === "function") return "function";
  if (typeof v !== "object" || v === null) return typeof v;
  return (v.constructor as { name?: string } | undefined)?.name ?? "object";
}

/**
 * Encodes one JS value as brine.
 *
 * @example
 * encodeBrine([1, "x"]); // Uint8Array [0x11, 0x51, 0x08, 0x0a, 0x78]
 */
export function encodeBrine(v: unknown, limits: BrineLimits = DEFAULT_BRINE_LIMITS): Uint8Array {
  const w = new Writer();
  value(w, v, 0, limits);
  return w.buf.subarray(0, w.pos);
}

/**
 * True when brine can carry `v` by value (RPyC's `brine.dumpable`): a primitive, bytes, one of
 * the `Py*` values, or an array of such (to `maxDepth`).
 *
 * @example
 * isBrineable([1, "a"]); // true
 * isBrineable([1, {}]);  // false: the tuple goes item by item, the object by reference
 */
export function isBrineable(
  v: unknown,
  depth = 0,
  maxDepth = DEFAULT_BRINE_LIMITS.maxDepth,
): boolean {
  if (v === null || v === undefined) return true;
  switch (typeof v) {
    case "boolean":
    case "number":
    case "bigint":
    case "string":
      return true;
    case "symbol":
      return v === PY_NOT_IMPLEMENTED || v === PY_ELLIPSIS;
    case "object":
      if (depth > maxDepth) return false;
      if (v instanceof Uint8Array || v instanceof PyFloat || v instanceof PyComplex) return true;
      if (Array.isArray(v)) return v.every((item) => isBrineable(item, depth + 1, maxDepth));
      if (v instanceof PySlice)
        return [v.start, v.stop, v.step].every((i) => isBrineable(i, depth + 1, maxDepth));
      if (v instanceof PyFrozenSet)
        return v.items.every((i) => isBrineable(i, depth + 1, maxDepth));
      return false;
    default:
      return false;
  }
}
