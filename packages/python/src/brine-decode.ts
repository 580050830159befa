/**
 * Brine decoding: bytes → JS values (see `python-values.ts` for the mapping). Pure; every length,
 * depth, digit count and the total number of values is checked against `BrineLimits` before it
 * is used, and only `BrineError` escapes.
 */
import { DEFAULT_BRINE_LIMITS, type BrineLimits } from "./brine-limits.ts";
import { IMM_INT_BIAS, IMM_INT_MAX, IMM_INT_MIN, Tag } from "./brine-tags.ts";
import { BrineError, RPYC_ERR_BRINE_LIMIT, RPYC_ERR_BRINE_MALFORMED } from "./errors.ts";
import {
  PY_ELLIPSIS,
  PY_NOT_IMPLEMENTED,
  PyComplex,
  PyFrozenSet,
  PySlice,
  pyInt,
} from "./python-values.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const DIGITS = /^-?[0-9]+$/;

class Reader {
  pos = 0;
  values = 0;
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly limits: BrineLimits,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number, what: string): void {
    if (this.bytes.length - this.pos < n) {
      throw new BrineError(
        RPYC_ERR_BRINE_MALFORMED,
        `brine value truncated: ${what} needs ${n} bytes at offset ${this.pos}, ${this.bytes.length - this.pos} left`,
      );
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8, "a float");
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function bytesOf(r: Reader, tag: number): Uint8Array | undefined {
  if (tag === Tag.EMPTY_BYTES) return new Uint8Array(0);
  if (tag >= Tag.BYTES1 && tag <= Tag.BYTES4) return r.take(tag - Tag.BYTES1 + 1, "bytes");
  if (tag === Tag.BYTES_L1) return r.take(r.u8("a bytes length"), "bytes");
  if (tag === Tag.BYTES_L4) return r.take(r.u32("a bytes length"), "bytes");
  return undefined;
}

function copyBytes(b: Uint8Array): Buffer {
  // A copy: the frame's buffer is reused, the value outlives it.
  return Buffer.from(b);
}

function tuple(r: Reader, count: number, depth: number): readonly unknown[] {
  if (count > r.limits.maxTupleItems) {
    throw new BrineError(
      RPYC_ERR_BRINE_LIMIT,
      `brine tuple of ${count} items is over maxTupleItems (${r.limits.maxTupleItems})`,
    );
  }
  // Each item takes at least one byte: a count past the bytes left is malformed, not a big
  // allocation.
  r.need(count, `a tuple of ${count} items`);
  const items = new Array<unknown>(count);
  for (let i = 0; i < count; i++) items[i] = value(r, depth + 1);
  return Object.freeze(items);
}

function int(r: Reader, length: number): number | bigint {
  if (length > r.limits.maxIntDigits) {
    throw new BrineError(
      RPYC_ERR_BRINE_LIMIT,
      `brine int of ${length} digits is over maxIntDigits (${r.limits.maxIntDigits})`,
    );
  }
  const digits = r.take(length, "int digits");
  const text = Buffer.from(digits.buffer, digits.byteOffset, digits.length).toString("latin1");
  if (!DIGITS.test(text)) {
    throw new BrineError(RPYC_ERR_BRINE_MALFORMED, `brine int is not decimal digits: "${text}"`);
  }
  return pyInt(BigInt(text));
}

function value(r: Reader, depth: number): unknown {
  if (depth > r.limits.maxDepth) {
    throw new BrineError(
      RPYC_ERR_BRINE_LIMIT,
      `brine value nested deeper than maxDepth (${r.limits.maxDepth})`,
    );
  }
  if (++r.values > r.limits.maxValues) {
    throw new BrineError(
      RPYC_ERR_BRINE_LIMIT,
      `brine payload holds more than maxValues (${r.limits.maxValues}) values`,
    );
  }
  const tag = r.u8("a tag");
  if (tag >= IMM_INT_MIN + IMM_INT_BIAS && tag <= IMM_INT_MAX + IMM_INT_BIAS)
    return tag - IMM_INT_BIAS;
  const bytes = bytesOf(r, tag);
  if (bytes !== undefined) return copyBytes(bytes);
  if (tag >= Tag.TUP1 && tag <= Tag.TUP4) return tuple(r, tag - Tag.TUP1 + 1, depth);
  switch (tag) {
    case Tag.NONE:
      return null;
    case Tag.EMPTY_TUPLE:
      return Object.freeze([]);
    case Tag.TRUE:
      return true;
    case Tag.FALSE:
      return false;
    case Tag.NOT_IMPLEMENTED:
      return PY_NOT_IMPLEMENTED;
    case Tag.ELLIPSIS:
      return PY_ELLIPSIS;
    case Tag.STR: {
      const inner = bytesOf(r, r.u8("a str's bytes tag"));
      if (inner === undefined) {
        throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "brine str is not followed by bytes");
      }
      try {
        return utf8.decode(inner);
      } catch {
        throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "brine str is not valid UTF-8");
      }
    }
    case Tag.TUP_L1:
      return tuple(r, r.u8("a tuple length"), depth);
    case Tag.TUP_L4:
      return tuple(r, r.u32("a tuple length"), depth);
    case Tag.INT_L1:
      return int(r, r.u8("an int length"));
    case Tag.INT_L4:
      return int(r, r.u32("an int length"));
    case Tag.FLOAT:
      return r.f64();
    case Tag.COMPLEX:
      return new PyComplex(r.f64(), r.f64());
    case Tag.SLICE: {
      const parts = value(r, depth + 1);
      if (!Array.isArray(parts) || parts.length !== 3) {
        throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "brine slice is not a 3-tuple");
      }
      return new PySlice(parts[0], parts[1], parts[2]);
    }
    case Tag.FROZENSET: {
      const items = value(r, depth + 1);
      if (!Array.isArray(items)) {
        throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "brine frozenset is not a tuple");
      }
      return new PyFrozenSet(items);
    }
    default:
      throw new BrineError(
        RPYC_ERR_BRINE_MALFORMED,
        `unknown brine tag 0x${tag.toString(16).padStart(2, "0")} at offset ${r.pos - 1}`,
      );
  }
}

/**
 * Decodes one brine value that must fill `bytes` exactly.
 *
 * @example
 * decodeBrine(Uint8Array.of(0x11, 0x51, 0x08, 0x0a, 0x78)); // [1, "x"]
 */
export function decodeBrine(
  bytes: Uint8Array,
  limits: BrineLimits = DEFAULT_BRINE_LIMITS,
): unknown {
  const r = new Reader(bytes, limits);
  const v = value(r, 0);
  if (r.pos !== bytes.length) {
    throw new BrineError(
      RPYC_ERR_BRINE_MALFORMED,
      `${bytes.length - r.pos} bytes left over after a brine value`,
    );
  }
  return v;
}
