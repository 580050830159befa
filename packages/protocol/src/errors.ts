/**
 * Errors of the wire layer, and the base class of every rpyc-ts library error.
 * Codes are stable strings (`RPYC_ERR_*`): match on `err.code`, never on the message.
 */

// The error codes of this package, as constants: compare `err.code` with them.

/**
 * A frame's length prefix announces more than `limits.maxFrameBytes`.
 *
 * @example
 * if (err instanceof ProtocolError && err.code === RPYC_ERR_FRAME_TOO_LARGE) socket.destroy();
 */
export const RPYC_ERR_FRAME_TOO_LARGE = "RPYC_ERR_FRAME_TOO_LARGE";
/**
 * Bytes that are not a valid rpyc-ts message (bad CBOR, unknown kind/op/tag, wrong field type).
 *
 * @example
 * send({ kind: MessageKind.Close, code: RPYC_ERR_MALFORMED, reason: err.message });
 */
export const RPYC_ERR_MALFORMED = "RPYC_ERR_MALFORMED";
/**
 * A message exceeds a decoding limit (depth, array/map length, string/byte-string length).
 *
 * @example
 * if (err.code === RPYC_ERR_LIMIT_EXCEEDED) log.warn("peer sent too much", err.message);
 */
export const RPYC_ERR_LIMIT_EXCEEDED = "RPYC_ERR_LIMIT_EXCEEDED";
/**
 * The peer speaks another major version of the wire protocol (see `checkHello`).
 *
 * @example
 * if (err.code === RPYC_ERR_VERSION_MISMATCH) console.error(err.message); // names both versions
 */
export const RPYC_ERR_VERSION_MISMATCH = "RPYC_ERR_VERSION_MISMATCH";
/**
 * `encodeMessage` was given something that is not a wire value (a function, a class instance,
 * a cycle…) or that exceeds the limits. The message names the path.
 *
 * @example
 * if (err.code === RPYC_ERR_UNSUPPORTED_VALUE) throw new TypeError(err.message);
 */
export const RPYC_ERR_UNSUPPORTED_VALUE = "RPYC_ERR_UNSUPPORTED_VALUE";

/**
 * Every code this package raises.
 *
 * @example
 * const code = (err as ProtocolError).code as ProtocolErrorCode;
 */
export type ProtocolErrorCode =
  | typeof RPYC_ERR_FRAME_TOO_LARGE
  | typeof RPYC_ERR_MALFORMED
  | typeof RPYC_ERR_LIMIT_EXCEEDED
  | typeof RPYC_ERR_VERSION_MISMATCH
  | typeof RPYC_ERR_UNSUPPORTED_VALUE;

/**
 * Base class of every error rpyc-ts itself raises.
 *
 * @example
 * try { await conn.root.secret } catch (err) {
 *   if (err instanceof RpycError && err.code === "RPYC_ERR_ACCESS_DENIED") …
 * }
 */
export class RpycError extends Error {
  override name = "RpycError";
  constructor(
    /** Stable `RPYC_ERR_*` code. */
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Bytes that are not a valid rpyc-ts message, or that exceed a limit. The only error the
 * decoder and the frame decoder ever throw. `encodeMessage` throws it too (code
 * `RPYC_ERR_UNSUPPORTED_VALUE`) for values that cannot cross the wire.
 *
 * @example
 * try { decodeMessage(bytes) } catch (err) { if (err instanceof ProtocolError) closeWith(err.code) }
 */
export class ProtocolError extends RpycError {
  override name = "ProtocolError";
}

/**
 * A length prefix announced a frame larger than `limits.maxFrameBytes`. The byte stream cannot
 * be resynchronised after this: close the connection. `frames` holds the payloads that were
 * complete in the same `push` before the bad prefix, so nothing the peer sent correctly is lost.
 *
 * @example
 * try { frames = decoder.push(chunk) } catch (err) {
 *   if (err instanceof FrameTooLargeError) { err.frames.forEach(deliver); close(err) }
 * }
 */
export class FrameTooLargeError extends ProtocolError {
  override name = "FrameTooLargeError";
  constructor(
    /** The length the prefix announced. */
    readonly declaredBytes: number,
    /** The limit it exceeded. */
    readonly maxFrameBytes: number,
    /** Payloads completed before the bad prefix, in order (deliver them before closing). */
    readonly frames: readonly Uint8Array[] = [],
  ) {
    super(
      RPYC_ERR_FRAME_TOO_LARGE,
      `frame of ${declaredBytes} bytes exceeds maxFrameBytes (${maxFrameBytes}); ` +
        `the peer must send smaller messages, or raise maxFrameBytes on this side`,
    );
  }
}
