/**
 * Cheap estimates of what a value costs, for the bounds that must be known before (or without)
 * encoding it: the bytes of an iteration batch (`IterNext`, sized to fit the peer's frames) and
 * the memory of results kept for the peer (held and pipelined results, `maxHeldBytes`).
 *
 * Contract: linear in the part of the value it visits, and it visits at most `MAX_VISITS`
 * values; a container cut short counts its unvisited elements at one byte and item each. Byte
 * containers count their length, strings their UTF-8 length (at most 3 bytes a code unit),
 * numbers 9, a value that goes by reference 8 bytes (and `REF_ITEM_COST` items). The estimate is
 * close for the values that make frames big (bytes, strings, long arrays); the encoder's own
 * limit checks stay the final word. Iterative: deep nesting cannot overflow the stack.
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
 * const { bytes, items } = wireSize(new Uint8Array(1024)); // bytes 1032, items 1
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
 * wireSize("hello").bytes; // 16
 */
export function wireSize(value: unknown): ValueSize {
  return measure(value, false);
}

/**
 * About how many bytes keeping `value` alive costs: like `wireSize`, and the own enumerable
 * data of class instances is counted too (an object holding a 1 MiB buffer costs 1 MiB).
 *
 * @example
 * retainedBytes({ buf: new Uint8Array(1 << 20) }); // ≈ 1 MiB
 */
export function retainedBytes(value: unknown): number {
  return measure(value, true).bytes;
}

function measure(value: unknown, retained: boolean): ValueSize {
  const size: ValueSize = { bytes: 0, items: 0 };
  const seen = new Set<object>();
  const stack = [value];
  let visits = 0;
  // Queues `members`; past the visit budget, the rest count one byte and item each.
  const push = (members: Iterable<unknown>, count: number) => {
    let room = MAX_VISITS - visits - stack.length;
    for (const member of members) {
      if (room-- <= 0) break;
      stack.push(member);
      count--;
    }
    size.bytes += count;
    size.items += count;
  };
  while (stack.length > 0) {
    const v = stack.pop();
    visits++;
    size.items++;
    if (typeof v === "string") {
      // Short strings: the upper bound is cheaper than looking. Long ones: one native scan.
      size.bytes += 5 + (v.length < 256 || /[^\0-\x7f]/.test(v) ? v.length * 3 : v.length);
    } else if (typeof v === "function" || (typeof v === "object" && v !== null)) {
      if (seen.has(v)) {
        size.bytes += 3; // a shared reference (tag 29)
        continue;
      }
      seen.add(v);
      const proto: unknown = Object.getPrototypeOf(v);
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) size.bytes += v.byteLength + 8;
      else if (Array.isArray(v)) push(v, v.length);
      else if (v instanceof Map) push([...v.keys(), ...v.values()], v.size * 2);
      else if (v instanceof Set) push(v, v.size);
      else if (v instanceof Error) push([v.message, v.stack], 2);
      else if (
        typeof v === "object" &&
        (proto === Object.prototype || proto === null || (retained && !isNetref(v)))
      ) {
        const own = Object.entries(v);
        push(own.flat(), own.length * 2);
      } else if (!(v instanceof Date || v instanceof RegExp)) {
        size.items += REF_ITEM_COST - 1; // by reference
      }
      size.bytes += 8;
    } else {
      size.bytes += 9; // numbers; booleans, undefined and bigints within 64 bits fit too
    }
  }
  return size;
}
