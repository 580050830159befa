/**
 * The browser entry's answer to native-codec.ts: browsers use codec-lite.ts, which has no
 * native extension to miss, so there is nothing to warn about.
 */

/** The code of the warning the Node entry emits when the native codec is not active. */
export const RPYC_WARN_NO_NATIVE_CODEC = "RPYC_WARN_NO_NATIVE_CODEC";

/**
 * Always false in browsers: their codec (codec-lite.ts) is pure JavaScript by design.
 *
 * @example
 * isNativeCodecActive(); // false
 */
export function isNativeCodecActive(): boolean {
  return false;
}
