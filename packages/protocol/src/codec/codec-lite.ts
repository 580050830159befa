/**
 * The browser codec: `encodeMessage` / `decodeMessage` and friends with the same contract as
 * codec.ts (same bytes on the wire up to harmless header forms, same checks, same errors), but
 * without cbor-x and without the Node speed paths (fast-encode.ts, fast-decode.ts). Bundles
 * resolve `@rpyc/protocol` here by the `browser` export condition (index-browser.ts): it keeps a
 * page's bundle small (packages/size) and runs at a browser's message rates comfortably.
 *
 * Encoding: messageToWire → liteEncode (one walk: wire values, limits, sharing, rare values,
 * bytes). Decoding: liteDecode (reads and checks in one
 * walk what the Node codec checks with scanCbor first) → messageFromWire.
 *
 * Buffers: every encoded message owns its buffer (nothing else shares it), so a transport may
 * transfer it. Decoded byte strings are views into the input, as on Node.
 */
import { ProtocolError, RPYC_ERR_MALFORMED, RPYC_ERR_UNSUPPORTED_VALUE } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "../limits.ts";
import { liteDecode } from "./lite-decode.ts";
import { liteEncode } from "./lite-encode.ts";
import { messageFromWire, messageToWire } from "./message-layout.ts";
import type { Message } from "../messages.ts";

/**
 * Encodes one message as one CBOR item (see codec.ts `encodeMessage`: same errors and limits).
 * The result owns its buffer.
 *
 * @example
 * const bytes = encodeMessage({ kind: MessageKind.Cancel, seq: 4 });
 */
export function encodeMessage(message: Message, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  try {
    return liteEncode(messageToWire(message), limits);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
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
 * `encodeMessage` as a list of byte ranges: here always one (the browser codec does not split
 * out large byte strings; the contract allows one segment).
 *
 * @example
 * for (const segment of encodeMessageSegments(message)) port.postMessage(segment);
 */
export function encodeMessageSegments(
  message: Message,
  limits: Limits = DEFAULT_LIMITS,
): Uint8Array[] {
  return [encodeMessage(message, limits)];
}

/**
 * Decodes and checks one message (see codec.ts `decodeMessage`): throws only `ProtocolError`,
 * `RPYC_ERR_LIMIT_EXCEEDED` or `RPYC_ERR_MALFORMED`. Byte strings are views into `bytes`.
 *
 * @example
 * const message = decodeMessage(payload);
 */
export function decodeMessage(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Message {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError(
      RPYC_ERR_MALFORMED,
      "malformed message: decodeMessage needs a Uint8Array",
    );
  }
  let wire: unknown;
  try {
    wire = liteDecode(bytes, limits);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // A stack overflow under an absurdly high maxDepth: malformed, as on Node.
    throw new ProtocolError(RPYC_ERR_MALFORMED, `malformed message: ${describe(error)}`, {
      cause: error,
    });
  }
  return messageFromWire(wire);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
