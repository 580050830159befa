/**
 * @rpyc/protocol for browsers (the `browser` export condition): the same public API as
 * index.ts, with the codec of codec-lite.ts (no cbor-x, no Node speed paths). Keep the two
 * lists in step: test/codec-lite.test.ts checks they export the same names.
 */
export * from "./messages.ts";
export {
  RpycError,
  ProtocolError,
  FrameTooLargeError,
  RPYC_ERR_FRAME_TOO_LARGE,
  RPYC_ERR_MALFORMED,
  RPYC_ERR_LIMIT_EXCEEDED,
  RPYC_ERR_VERSION_MISMATCH,
  RPYC_ERR_UNSUPPORTED_VALUE,
  type ProtocolErrorCode,
} from "./errors.ts";
export {
  DEFAULT_LIMITS,
  OUT_OF_LINE_BYTES,
  LIMIT_NAMES,
  REF_ITEM_COST,
  peerSendLimits,
  resolveLimits,
  type Limits,
} from "./limits.ts";
export { forgetBatchSize, releaseBatchSize } from "./batch-size.ts";
export { encodeMessage, encodeMessageSegments, decodeMessage } from "./codec/codec-lite.ts";
export {
  FRAME_HEADER_BYTES,
  frameHeader,
  encodeFrame,
  writeFrameHeader,
  readFrameHeader,
  FrameDecoder,
} from "./framing.ts";
export { isNativeCodecActive, RPYC_WARN_NO_NATIVE_CODEC } from "./codec/native-codec-lite.ts";
export { checkHello, createHello, type HelloOptions } from "./handshake.ts";
