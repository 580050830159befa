/**
 * The codec: one `Message` ↔ one CBOR item. This folder holds four paths; which one runs:
 *
 * | path          | runs when                                               | files                                                               |
 * |---------------|---------------------------------------------------------|---------------------------------------------------------------------|
 * | fast encode   | every send; answers for every kind but Hello and Error  | fast-encode.ts                                                      |
 * |               | when the values are plain data                          |                                                                     |
 * | full encode   | the fast encoder gave up (returned `undefined`): Hello, | message-layout.ts → inspect-wire-value.ts → rewrite-rare-values.ts  |
 * |               | Error, Map/Set/Date/bigint/-0…, a shared object, or any | (only if rare values) → cbor-x with our tags (cbor-x-tags.ts,       |
 * |               | error (errors always come from this path)               | wire-tags.ts)                                                       |
 * | fast decode   | every receive of at most FAST_DECODE_MAX_BYTES holding  | fast-decode.ts                                                      |
 * |               | a common message of plain data                          |                                                                     |
 * | scan + cbor-x | the fast decoder gave up: larger frames, rare values,   | scan-cbor.ts (every limit, over the headers, before anything is     |
 * |               | Hello, Error, and all hostile input                     | allocated) → cbor-x → message-layout.ts (field types)               |
 *
 * Why two paths each way: the fast paths cost about half the instructions of the full ones for the
 * messages a connection sends all the time, but only the full paths know every wire value and
 * raise every error; a fast path that is unsure gives up, so behaviour (bytes, checks, errors)
 * is the full path's, and property tests hold the two to the same bytes and messages. Browsers
 * get none of these: codec-lite.ts (lite-encode.ts, lite-decode.ts) does each direction in one
 * walk without cbor-x, chosen by the package's `browser` export condition.
 * native-codec.ts reports, once per process, when cbor-x runs without its native extension
 * (native-codec-lite.ts is the browser entry's answer: there is none to miss).
 *
 * Values are not walked a second time on decode: the scan already bounded them, and cbor-x
 * plus our tag decoders only build wire values.
 *
 * Buffers and aliasing (who owns what):
 * - `encodeMessage` returns a view into a shared output buffer (the fast path's slab, or
 *   cbor-x's). Neither ever writes over bytes it has returned (they move on, and start a new
 *   buffer when one fills), so the result stays valid: keep it, send it, frame it. Its `.buffer`
 *   may hold other messages too: use byteOffset/byteLength, never transfer or reuse `.buffer`;
 *   `slice()` it to keep it long-term without pinning that shared buffer.
 * - `encodeMessageSegments` returns such views, plus the caller's own large Uint8Arrays (not
 *   copies): the caller must not change those until the segments are sent.
 * - `decodeMessage` decodes byte strings (Uint8Array/Buffer, and typed arrays whose offset is
 *   aligned, and DataViews) as views into `bytes`: no copy. They alias the frame, so the
 *   caller must not reuse or mutate `bytes` after decoding. ArrayBuffers are copies.
 *
 * Module-global cbor-x state: this codec registers its tags with cbor-x (see wire-tags.ts) and
 * never calls `setSizeLimits` (which is global too): limits are enforced by scanCbor per call,
 * so different connections can use different limits, and other cbor-x users in the process
 * keep cbor-x's defaults.
 */
import { Decoder, Encoder } from "cbor-x";
import { ProtocolError, RPYC_ERR_MALFORMED, RPYC_ERR_UNSUPPORTED_VALUE } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "../limits.ts";
import { messageFromWire, messageToWire } from "./message-layout.ts";
import type { Message } from "../messages.ts";
import { fastEncode } from "./fast-encode.ts";
import { fastDecode } from "./fast-decode.ts";
import { inspectWireValue } from "./inspect-wire-value.ts";
import { rewriteRareValues } from "./rewrite-rare-values.ts";
import { scanCbor } from "./scan-cbor.ts";
import { registerWireTags } from "./cbor-x-tags.ts";
import { warnIfNoNativeCodec } from "./native-codec.ts";

interface CodecState {
  plain: Encoder;
  sharing: Encoder;
  decoder: Decoder;
}

let state: CodecState | undefined;

// Created on first use, not at import (packages have no import-time work).
function codec(): CodecState {
  if (state === undefined) {
    registerWireTags();
    // Every connection's Hello takes this path, so a pure-JS fallback is reported on the first.
    warnIfNoNativeCodec();
    const options = { useRecords: false, mapsAsObjects: true, useFloat32: 0 } as const;
    state = {
      plain: new Encoder({ ...options, structuredClone: false }),
      // Value sharing costs a Map lookup per object: used only for messages that share objects.
      sharing: new Encoder({ ...options, structuredClone: true }),
      decoder: new Decoder({ ...options }),
    };
  }
  return state;
}

/**
 * Encodes one message as one CBOR item. The same object twice in the message keeps its
 * identity on decode (CBOR value sharing, tags 28/29); a cycle is refused. Throws
 * `ProtocolError` `RPYC_ERR_UNSUPPORTED_VALUE` for a value that is not a wire value (a function,
 * a class instance, a raw Error…) or that exceeds `limits` (depth, lengths), naming its path.
 *
 * The result is a view into a shared output buffer that is never written over: keep it as
 * long as needed, but do not transfer or reuse its `.buffer` (see the file header). Common
 * messages take a fast path (fast-encode.ts) that writes the same bytes as the full one.
 *
 * @example
 * const bytes = encodeMessage({
 *   kind: MessageKind.Request, seq: 1, op: Op.CallAttr,
 *   target: new WireRef(RefKind.Yours, ROOT_ID), name: "add", args: [1, 2],
 * });
 */
export function encodeMessage(message: Message, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  const bytes = fastEncode(message, limits);
  if (bytes === undefined) return encodeMessageFull(message, limits);
  fastPathCounts.encoded++;
  return bytes;
}

/**
 * Encodes one message like `encodeMessage`, as the list of byte ranges whose concatenation is
 * `encodeMessage`'s result: every `Uint8Array` value of `OUT_OF_LINE_BYTES` or more is its own
 * segment, the caller's very array (not a copy), between the CBOR before and after it. A
 * message off the fast path (see the package README) comes back as one segment. Same errors
 * and limits as `encodeMessage`.
 *
 * The small segments are views that are never written over (as `encodeMessage`'s result); the
 * large ones are the caller's: do not change them until the segments are sent.
 *
 * @example
 * const segments = encodeMessageSegments({ kind: MessageKind.Reply, seq: 1, value: bytes });
 * socket.write(frameHeader(segments.reduce((n, s) => n + s.byteLength, 0)));
 * for (const segment of segments) socket.write(segment);
 */
export function encodeMessageSegments(
  message: Message,
  limits: Limits = DEFAULT_LIMITS,
): Uint8Array[] {
  const segments: Uint8Array[] = [];
  const last = fastEncode(message, limits, segments);
  if (last === undefined) return [encodeMessageFull(message, limits)];
  fastPathCounts.encoded++;
  if (last.byteLength > 0 || segments.length === 0) segments.push(last);
  return segments;
}

/**
 * How many messages took each fast path, since the process started. Internal (not exported by
 * the package): tests use it to check that the common messages do take the fast paths.
 */
export const fastPathCounts = { encoded: 0, decoded: 0 };

/** The full encoding path: every wire value, and every encoding error. Internal. */
export function encodeMessageFull(message: Message, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  const { plain, sharing } = codec();
  try {
    let wire: unknown = messageToWire(message);
    const facts = inspectWireValue(wire as unknown[], limits);
    if (facts.rare) wire = rewriteRareValues(wire);
    return (facts.shared ? sharing : plain).encode(wire);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // E.g. a stack overflow under a very large maxDepth, or cbor-x refusing a huge buffer.
    throw new ProtocolError(
      RPYC_ERR_UNSUPPORTED_VALUE,
      `cannot encode the message: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Decodes one message (one CBOR item, e.g. a frame payload) and checks every field's type, so
 * the caller can trust the result. Throws only `ProtocolError`: `RPYC_ERR_LIMIT_EXCEEDED` when
 * `bytes` exceed `limits`, `RPYC_ERR_MALFORMED` for anything else that is wrong.
 *
 * Byte strings in the result are views into `bytes` (no copy): do not reuse `bytes` afterwards.
 *
 * @example
 * const message = decodeMessage(payload);
 * if (message.kind === MessageKind.Request) dispatch(message);
 */
export function decodeMessage(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Message {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError(
      RPYC_ERR_MALFORMED,
      "malformed message: decodeMessage needs a Uint8Array",
    );
  }
  const message = fastDecode(bytes, limits);
  if (message === undefined) return decodeMessageFull(bytes, limits);
  fastPathCounts.decoded++;
  return message;
}

/** The full decoding path: every wire value, and every decoding error. Internal. */
export function decodeMessageFull(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Message {
  scanCbor(bytes, limits);
  let wire: unknown;
  try {
    wire = codec().decoder.decode(bytes);
  } catch (error) {
    // After the scan, only content errors reach here (an invalid RegExp, a bad WireError…);
    // a stack overflow cannot, but is caught the same way if it ever did.
    throw new ProtocolError(RPYC_ERR_MALFORMED, `malformed message: ${describe(error)}`, {
      cause: error,
    });
  }
  return messageFromWire(wire);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
