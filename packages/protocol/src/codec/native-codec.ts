/**
 * Whether cbor-x runs with its native extension (cbor-extract), and the one warning when it
 * does not. cbor-x falls back to pure JavaScript without a word when cbor-extract is missing or
 * fails to load (no prebuilt binary for the platform, no compiler): everything still works,
 * only decoding strings is slower. We say so once per process, the first time the codec is used
 * (never at import, never per call), as a Node warning with a code, so it can be silenced.
 *
 * Silence it with `node --disable-warning=RPYC_WARN_NO_NATIVE_CODEC` (or `--no-warnings`); a
 * process that turned the extension off on purpose (`CBOR_NATIVE_ACCELERATION_DISABLED=true`,
 * cbor-x's own switch) is not warned.
 */
import { isNativeAccelerationEnabled } from "cbor-x";

/** The code of the warning emitted when the native codec is not active. */
export const RPYC_WARN_NO_NATIVE_CODEC = "RPYC_WARN_NO_NATIVE_CODEC";

/**
 * True when cbor-x decodes with its native extension (cbor-extract). Always false in browsers
 * (their codec is codec-lite.ts, which needs none).
 *
 * @example
 * if (!isNativeCodecActive()) console.log("pure-JS CBOR decoding");
 */
export function isNativeCodecActive(): boolean {
  return isNativeAccelerationEnabled;
}

// Once per process, even when two copies of this package are loaded (a registry-wide symbol).
const WARNED = Symbol.for("@rpyc/protocol.warnedNoNativeCodec");

/** Emits `RPYC_WARN_NO_NATIVE_CODEC` once per process when the native codec is not active. */
export function warnIfNoNativeCodec(): void {
  const global = globalThis as { [WARNED]?: boolean };
  if (isNativeAccelerationEnabled || global[WARNED] === true) return;
  global[WARNED] = true;
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  if (proc?.emitWarning === undefined) return;
  if (proc.env?.CBOR_NATIVE_ACCELERATION_DISABLED?.toLowerCase() === "true") return;
  proc.emitWarning(
    "cbor-x runs without its native extension (cbor-extract could not be loaded), so CBOR " +
      "decoding falls back to slower pure JavaScript. Install cbor-extract 2.2.2, which ships " +
      "prebuilt binaries (`npm install cbor-extract@2.2.2`), or silence this with " +
      "`node --disable-warning=RPYC_WARN_NO_NATIVE_CODEC`.",
    { type: "RpycWarning", code: RPYC_WARN_NO_NATIVE_CODEC },
  );
}

interface NodeProcessLike {
  emitWarning?: (message: string, options: { type: string; code: string }) => void;
  env?: Record<string, string | undefined>;
}
