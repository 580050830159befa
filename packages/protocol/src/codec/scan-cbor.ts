/**
 * A single pass over the *headers* of one CBOR item, run before cbor-x decodes it. It enforces
 * every decoding limit and the subset of CBOR that rpyc-ts speaks, so that cbor-x only ever sees
 * input it decodes within bounds:
 * - well-formed, definite-length items only, and exactly one item (no trailing bytes);
 * - depth, array length, map size, text and byte string lengths within `Limits`, checked from
 *   the header before anything is allocated (a 4 GiB length is rejected, not attempted);
 * - the whole message within `maxItems` (every item costs 1, a reference `REF_ITEM_COST`), so
 *   what decoding and unboxing build is bounded whatever the shape: the scan stops at the
 *   first item over the budget, so refusing a 60 MiB frame of empty maps costs `maxItems`
 *   header reads, not 60 million;
 * - only the tags rpyc-ts uses (see wire-tags.ts), each with the content type it requires;
 * - value sharing (tags 28/29) only backwards and never into an enclosing item (no cycles).
 *
 * Byte and text string payloads are skipped, not read, so a 1 MiB byte string costs one header.
 * The walk is iterative (an explicit stack), so hostile nesting cannot overflow the JS stack;
 * once it passes, cbor-x's recursive decoder never goes deeper than `limits.maxDepth`.
 *
 * NOTE: this runs on every received message, so it is written for speed: one loop, no
 * allocation per call (the stack is a module-level typed array, grown on demand; the scan is
 * synchronous, so it is never shared by two calls at once).
 */
import { ProtocolError, RPYC_ERR_LIMIT_EXCEEDED, RPYC_ERR_MALFORMED } from "../errors.ts";
import { type Limits, REF_ITEM_COST } from "../limits.ts";
import {
  TAG_ARRAY_BUFFER,
  TAG_BIGNUM_NEGATIVE,
  TAG_BIGNUM_POSITIVE,
  TAG_DATA_VIEW,
  TAG_DATE,
  TAG_DATE_MS,
  TAG_ERROR,
  TAG_MAP,
  TAG_NEGATIVE_ZERO,
  TAG_REF_MINE,
  TAG_REF_PENDING,
  TAG_REF_YOURS,
  TAG_REGEXP,
  TAG_RESERVED_KEY_OBJECT,
  TAG_SET,
  TAG_SHAREABLE,
  TAG_SHARED_REF,
  TYPED_ARRAY_TAGS,
} from "./wire-tags.ts";

/** What the item after a tag must be. */
const enum Expect {
  Any,
  Uint32,
  Bytes,
  Number,
  Array,
  Map,
  Null,
  /** Content of tag 28: something cbor-x can share (array, map, or a tag other than 28/29). */
  Shareable,
  /** Content of tag 29: the id of an earlier, closed tag 28. */
  SharedId,
}

function malformed(message: string): ProtocolError {
  return new ProtocolError(RPYC_ERR_MALFORMED, `malformed message: ${message}`);
}

function tooBig(what: string, size: number, limit: string, max: number): ProtocolError {
  return new ProtocolError(
    RPYC_ERR_LIMIT_EXCEEDED,
    `message rejected: ${what} of ${size} exceeds ${limit} (${max}); send less per message, or raise ${limit}`,
  );
}

function tooManyItems(maxItems: number): ProtocolError {
  return new ProtocolError(
    RPYC_ERR_LIMIT_EXCEEDED,
    `message rejected: it holds more than maxItems (${maxItems}) items (every value, key and container counts 1, a reference ${REF_ITEM_COST}); send less per message, or raise maxItems`,
  );
}

const truncated = () => malformed("truncated (more bytes were expected)");

// Open containers: how many items each still expects (`remaining`), and for tag-28 marks their
// id (`marks`, -1 for other frames). Marks do not count toward depth: they add no nesting.
let remaining = new Float64Array(160);
let marks = new Int32Array(160);

/**
 * Checks that `bytes` hold exactly one CBOR item rpyc-ts can decode within `limits`.
 * Throws `ProtocolError` (`RPYC_ERR_MALFORMED` or `RPYC_ERR_LIMIT_EXCEEDED`); returns nothing.
 *
 * @example
 * scanCbor(payload, DEFAULT_LIMITS); // then cbor-x may decode payload
 */
export function scanCbor(bytes: Uint8Array, limits: Limits): void {
  const end = bytes.length;
  const { maxDepth, maxArrayLength, maxMapSize, maxStringBytes, maxBytesLength, maxItems } = limits;
  // Every frame is a depth frame or a mark followed by one: at most 2 * maxDepth frames.
  if (remaining.length < 2 * maxDepth + 2) {
    remaining = new Float64Array(2 * maxDepth + 2);
    marks = new Int32Array(2 * maxDepth + 2);
  }
  let top = -1;
  let depth = 0;
  let markCount = 0;
  let pos = 0;
  let expect = Expect.Any;
  let elementSize = 1;
  // Items left in the message's budget (see `Limits.maxItems`).
  let budget = maxItems;

  for (;;) {
    if (--budget < 0) throw tooManyItems(maxItems);
    if (pos >= end) throw truncated();
    const initial = bytes[pos++] as number;
    const major = initial >> 5;
    const info = initial & 0x1f;
    let arg = info;
    if (info >= 24) {
      if (info === 24) {
        if (pos >= end) throw truncated();
        arg = bytes[pos++] as number;
      } else if (info === 25) {
        if (pos + 2 > end) throw truncated();
        arg = ((bytes[pos] as number) << 8) | (bytes[pos + 1] as number);
        pos += 2;
      } else if (info === 26) {
        if (pos + 4 > end) throw truncated();
        arg = readUint32(bytes, pos);
        pos += 4;
      } else if (info === 27) {
        if (pos + 8 > end) throw truncated();
        const high = readUint32(bytes, pos);
        // A length or tag beyond 2^32 - 1 is never valid here; for integers and floats the exact
        // value does not matter to the scan.
        if (high !== 0 && major >= 2 && major <= 6) {
          if (major === 6) throw malformed("unknown tag");
          throw tooBig(
            "a declared length",
            high * 2 ** 32,
            "the 4 GiB CBOR length cap",
            2 ** 32 - 1,
          );
        }
        arg = high * 2 ** 32 + readUint32(bytes, pos + 4);
        pos += 8;
      } else if (info === 31) {
        throw malformed("indefinite-length items are not part of the rpyc-ts wire format");
      } else {
        throw malformed(`reserved additional information ${info}`);
      }
    }

    if (expect !== Expect.Any) {
      checkExpected(expect, major, info, arg, elementSize);
      if (expect === Expect.SharedId) {
        if (arg >= markCount) throw malformed(`shared reference ${arg} points forward`);
        for (let i = 0; i <= top; i++) {
          if (marks[i] === arg)
            throw malformed("cyclic value (a shared reference into its own container)");
        }
      }
      expect = Expect.Any;
    }

    let count = 0; // items the new container holds (0: this item is a leaf)
    switch (major) {
      case 0: // unsigned integer
      case 1: // negative integer
        break;
      case 2: // byte string
        if (arg > maxBytesLength)
          throw tooBig("a byte string", arg, "maxBytesLength", maxBytesLength);
        if (arg > end - pos) throw malformed("truncated byte string");
        pos += arg;
        break;
      case 3: // text string
        if (arg > maxStringBytes) throw tooBig("a string", arg, "maxStringBytes", maxStringBytes);
        if (arg > end - pos) throw malformed("truncated text string");
        pos += arg;
        break;
      case 4: // array
        if (arg > maxArrayLength) throw tooBig("an array", arg, "maxArrayLength", maxArrayLength);
        if (arg > end - pos) throw malformed("array longer than the bytes left");
        count = arg;
        break;
      case 5: // map
        if (arg > maxMapSize) throw tooBig("a map", arg, "maxMapSize", maxMapSize);
        if (arg * 2 > end - pos) throw malformed("map longer than the bytes left");
        count = arg * 2;
        break;
      case 6: // tag
        count = 1;
        if (arg >= TAG_REF_MINE && arg <= TAG_REF_PENDING) {
          budget -= REF_ITEM_COST - 1;
          if (budget < 0) throw tooManyItems(maxItems);
        }
        if (arg === TAG_SHAREABLE) {
          expect = Expect.Shareable;
        } else {
          expect = tagContent(arg);
          if (expect === Expect.Bytes) elementSize = TYPED_ARRAY_TAGS.get(arg) ?? 1;
        }
        break;
      default: // 7: 20-23 false, true, null, undefined; 25-27 half, single and double floats
        if (info < 20 || info === 24)
          throw malformed(`unknown simple value ${info < 24 ? info : arg}`);
        break;
    }

    if (count > 0) {
      const mark = major === 6 && arg === TAG_SHAREABLE ? markCount++ : -1;
      if (mark < 0 && ++depth > maxDepth)
        throw tooBig("nesting depth", depth, "maxDepth", maxDepth);
      top++;
      remaining[top] = count;
      marks[top] = mark;
      continue;
    }

    // A leaf ended: close every container it completes.
    for (;;) {
      if (top < 0) {
        if (pos !== end) throw malformed(`${end - pos} bytes after the end of the message`);
        return;
      }
      const left = (remaining[top] as number) - 1;
      remaining[top] = left;
      if (left > 0) break;
      if ((marks[top] as number) < 0) depth--;
      top--;
    }
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x100_0000 +
    (((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number))
  );
}

/** What must follow a tag; throws for a tag rpyc-ts does not use. */
function tagContent(tag: number): Expect {
  switch (tag) {
    case TAG_REF_MINE:
    case TAG_REF_YOURS:
    case TAG_REF_PENDING:
      return Expect.Uint32;
    case TAG_SHARED_REF:
      return Expect.SharedId;
    case TAG_ERROR:
    case TAG_REGEXP:
    case TAG_RESERVED_KEY_OBJECT:
    case TAG_SET:
      return Expect.Array;
    case TAG_MAP:
      return Expect.Map;
    case TAG_ARRAY_BUFFER:
    case TAG_DATA_VIEW:
    case TAG_BIGNUM_POSITIVE:
    case TAG_BIGNUM_NEGATIVE:
      return Expect.Bytes;
    case TAG_DATE:
    case TAG_DATE_MS:
      return Expect.Number;
    case TAG_NEGATIVE_ZERO:
      return Expect.Null;
    default:
      if (TYPED_ARRAY_TAGS.has(tag)) return Expect.Bytes;
      throw malformed(`unknown tag ${tag}`);
  }
}

function checkExpected(
  expect: Expect,
  major: number,
  info: number,
  arg: number,
  elementSize: number,
): void {
  let ok: boolean;
  switch (expect) {
    case Expect.Uint32:
    case Expect.SharedId:
      ok = major === 0 && info <= 26;
      break;
    case Expect.Bytes:
      ok = major === 2 && arg % elementSize === 0;
      break;
    case Expect.Number:
      ok = major === 0 || major === 1 || (major === 7 && info >= 25);
      break;
    case Expect.Array:
      ok = major === 4;
      break;
    case Expect.Map:
      ok = major === 5;
      break;
    case Expect.Null:
      ok = major === 7 && info === 22;
      break;
    case Expect.Shareable:
      ok =
        major === 4 ||
        major === 5 ||
        (major === 6 && arg !== TAG_SHAREABLE && arg !== TAG_SHARED_REF);
      break;
    default:
      ok = true;
  }
  if (!ok) throw malformed("a tag is followed by the wrong kind of item");
}
