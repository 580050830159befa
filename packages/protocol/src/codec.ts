/**
 * `encodeMessage` / `decodeMessage`: one `Message` ↔ one CBOR item (cbor-x).
 *
 * Encoding: messageToWire → inspectWireValue (one walk: wire-value check, limits, sharing, rare
 * values) → cbor-x. Decoding: scanCbor (one pass over headers: well-formedness and every limit,
 * before any allocation) → cbor-x → messageFromWire (top-level field types). Values are not
 * walked a second time on decode: the scan already bounded them, and cbor-x plus our tag
 * decoders only build wire values.
 *
 * Buffers and aliasing (who owns what):
 * - `encodeMessage` returns a view into cbor-x's shared output buffer. cbor-x never writes over
 *   bytes it has returned (it moves on, and starts a new buffer when one fills), so the result
 *   stays valid: keep it, send it, frame it. Its `.buffer` may hold other messages too: use
 *   byteOffset/byteLength, never transfer or reuse `.buffer`; `slice()` it to keep it long-term
 *   without pinning that shared buffer.
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
import { ProtocolError, RPYC_ERR_MALFORMED, RPYC_ERR_UNSUPPORTED_VALUE } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { messageFromWire, messageToWire } from "./message-layout.ts";
import type { Message } from "./messages.ts";
import { inspectWireValue } from "./inspect-wire-value.ts";
import { rewriteRareValues } from "./rewrite-rare-values.ts";
import { scanCbor } from "./scan-cbor.ts";
import { registerWireTags } from "./wire-tags.ts";

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
 * The result is a view into cbor-x's shared output buffer that cbor-x never overwrites: keep
 * it as long as needed, but do not transfer or reuse its `.buffer` (see the file header).
 *
 * @example
 * const bytes = encodeMessage({
 *   kind: MessageKind.Request, seq: 1, op: Op.CallAttr,
 *   target: new WireRef(RefKind.Yours, ROOT_ID), name: "add", args: [1, 2],
 * });
 */
export function encodeMessage(message: Message, limits: Limits = DEFAULT_LIMITS): Uint8Array {
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
