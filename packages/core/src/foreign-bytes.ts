/**
 * Naming bytes that are not rpyc-ts: when a stream's first bytes are another protocol (an HTTP
 * request, a TLS record, a process printing text, Python RPyC), the error says what arrived
 * instead of "frame of 1195725856 bytes". Used by the stream transport (first prefix) and the
 * connection (first frame); no Node import.
 */
import { ProtocolError } from "@rpyc/protocol";

const PREVIEW_BYTES = 16;

/**
 * Up to 16 bytes as text when they are printable (`"GET / HTTP/1.1"`), else as hex.
 *
 * @example
 * previewBytes(new TextEncoder().encode("hello\n")); // '"hello\\n"'
 */
export function previewBytes(bytes: Uint8Array): string {
  const head = bytes.subarray(0, PREVIEW_BYTES);
  const more = bytes.byteLength > PREVIEW_BYTES ? "…" : "";
  if (isText(head)) return JSON.stringify(String.fromCharCode(...head)) + more;
  return [...head].map((b) => b.toString(16).padStart(2, "0")).join(" ") + more;
}

/** What the first bytes look like, or undefined when they resemble nothing known. */
export function guessProtocol(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x16 && bytes[1] === 0x03) return "a TLS handshake: the peer expects TLS";
  if (bytes.byteLength >= 4 && isText(bytes.subarray(0, 4))) {
    return /^[A-Z]+ \S+ HTTP\//.test(String.fromCharCode(...bytes.subarray(0, PREVIEW_BYTES * 4)))
      ? "an HTTP request"
      : "text, not frames (a process printing to its output?)";
  }
  return undefined;
}

/**
 * The coded error for a stream whose first frame failed with `cause`, when its bytes look like
 * another protocol; undefined otherwise (the cause stands).
 *
 * @example
 * throw notRpycError(chunk, error) ?? error;
 */
export function notRpycError(bytes: Uint8Array, cause: unknown): ProtocolError | undefined {
  const what = guessProtocol(bytes);
  if (what === undefined) return undefined;
  return new ProtocolError(
    "RPYC_ERR_NOT_RPYC",
    `the peer sent bytes that are not rpyc-ts: ${previewBytes(bytes)} (${what})`,
    { cause },
  );
}

function isText(bytes: Uint8Array): boolean {
  for (const b of bytes)
    if ((b < 0x20 || b > 0x7e) && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  return true;
}
