/**
 * Cheap estimates of what a value costs, for the bounds that must be known before (or without)
 * encoding it: the bytes of an iteration batch (`IterNext`, sized to fit the peer's frames) and
 * the memory of results kept for the peer (held and pipelined results, `maxHeldBytes`).
 *
 * Contract: linear in the part of the value it visits, and it visits at most `MAX_VISITS`
 * values; a container cut short counts its unvisited elements at their smallest size. Byte
 * containers count their length, strings their UTF-8 length (at most 3 bytes a code unit),
 * numbers 9, a value that goes by reference a few bytes (and `REF_ITEM_COST` items). Shared
 * objects count once. The estimate is close for the values that make frames big (bytes,
 * strings, long arrays); the encoder's own limit checks stay the final word.
 */
import { REF_ITEM_COST } from "@rpyc/protocol";
import { isNetref } from "./netref-state.ts";

/**
 * Values one estimate visits at most.
 *
 * @example
 * MAX_VISITS; // 4096
 */
export const MAX_VISITS = 4096;

/**
 * What a value costs: `bytes` (encoded, or kept in memory) and `items` (CBOR data items, as
 * `Limits.maxItems` counts them).
 *
 * @example
 * const { bytes, items } = wireSize(new Uint8Array(1024)); // bytes ≈ 1029, items 1
 */
export interface ValueSize {
  bytes: number;
  items: number;
}

/**
 * About how many bytes and items `value` takes encoded on the wire. Objects that go by
 * reference (class instances, functions, netrefs) count as the reference only.
 *
 * @example
 * wireSize("hello").bytes; // 6
 */
export function wireSize(value: unknown): ValueSize {
  return new SizeWalk(false).measure(value);
}

/**
 * About how many bytes keeping `value` alive costs: like `wireSize`, and the own enumerable
 * data of class instances is counted too (an object holding a 1 MiB buffer costs 1 MiB).
 *
 * @example
 * retainedBytes({ buf: new Uint8Array(1 << 20) }); // ≈ 1 MiB
 */
export function retainedBytes(value: unknown): number {
  return new SizeWalk(true).measure(value).bytes;
}

const NON_ASCII = /[^\u0000-\u007f]/;

function stringBytes(text: string): number {
  const length = text.length;
  // Short strings: the upper bound is cheaper than looking. Long ones: one native scan.
  const bytes = length < 256 || NON_ASCII.test(text) ? length * 3 : length;
  return bytes + (length < 24 ? 1 : 5);
}

class SizeWalk {
  #visits = 0;
  readonly #seen = new Set<object>();
  readonly size: ValueSize = { bytes: 0, items: 0 };
  /** Values still to visit (iterative: deep nesting cannot overflow the stack). */
  readonly #stack: unknown[] = [];

  constructor(private readonly retained: boolean) {}

  measure(value: unknown): ValueSize {
    this.#stack.push(value);
    while (this.#stack.length > 0) this.#visit(this.#stack.pop());
    return this.size;
  }

  #add(bytes: number, items = 1): void {
    this.size.bytes += bytes;
    this.size.items += items;
  }

  #visit(value: unknown): void {
    this.#visits++;
    switch (typeof value) {
      case "string":
        return this.#add(stringBytes(value));
      case "number":
        return this.#add(9);
      case "bigint":
        return this.#add(9 + Math.ceil(value.toString(16).length / 2));
      case "function":
        return this.#add(8, REF_ITEM_COST);
      case "object":
        if (value === null) return this.#add(1);
        return this.#object(value);
      default:
        return this.#add(1); // boolean, undefined, symbol (refused by boxing anyway)
    }
  }

  #object(value: object): void {
    if (this.#seen.has(value)) return this.#add(3); // a shared reference (tag 29)
    this.#seen.add(value);
    if (ArrayBuffer.isView(value)) return this.#add(value.byteLength + 8);
    if (value instanceof ArrayBuffer) return this.#add(value.byteLength + 8);
    if (value instanceof Date) return this.#add(12);
    if (value instanceof RegExp) return this.#add(stringBytes(value.source) + 8, 4);
    if (value instanceof Error) {
      this.#add(16, 4);
      return this.#push([value.message, value.stack]);
    }
    if (Array.isArray(value)) {
      this.#add(5);
      return this.#push(value as unknown[]);
    }
    if (value instanceof Map) {
      this.#add(8, 2);
      return this.#pushEntries(value.entries(), value.size, true);
    }
    if (value instanceof Set) {
      this.#add(8, 2);
      return this.#pushEntries(value.values(), value.size, false);
    }
    const proto: unknown = Object.getPrototypeOf(value);
    const plain = proto === Object.prototype || proto === null;
    if (!plain && (!this.retained || isNetref(value))) return this.#add(8, REF_ITEM_COST);
    this.#add(5);
    const members: unknown[] = [];
    for (const key of Object.keys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      members.push(key, descriptor !== undefined && "value" in descriptor ? descriptor.value : 0);
    }
    this.#push(members);
  }

  /** Room left in the visit budget. */
  #room(): number {
    return Math.max(0, MAX_VISITS - this.#visits - this.#stack.length);
  }

  /** Queues `members`; past the visit budget, counts the rest at one byte and item each. */
  #push(members: readonly unknown[]): void {
    const visited = Math.min(this.#room(), members.length);
    for (let i = 0; i < visited; i++) this.#stack.push(members[i]);
    const rest = members.length - visited;
    if (rest > 0) this.#add(rest, rest);
  }

  /** Like `#push` for a Map's entries (two values each) or a Set's members, without a copy. */
  #pushEntries(members: Iterator<unknown>, size: number, pairs: boolean): void {
    const per = pairs ? 2 : 1;
    const visited = Math.min(Math.floor(this.#room() / per), size);
    for (let i = 0; i < visited; i++) {
      const next = members.next().value;
      if (pairs) this.#stack.push(...(next as [unknown, unknown]));
      else this.#stack.push(next);
    }
    const rest = (size - visited) * per;
    if (rest > 0) this.#add(rest, rest);
  }
}
