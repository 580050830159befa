/**
 * Errors raised by @rpyc/python. Every class extends `RpycError` and carries a stable
 * `RPYC_ERR_*` code: match on `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/core";

/**
 * Bytes that are not valid brine, or not a valid RPyC frame or message (unknown tag, truncated
 * value, bad message layout, a frame without its "\n" trailer). The connection that received
 * them is closed; the message says what was wrong and where.
 *
 * @example
 * try { decodeBrine(Uint8Array.of(0x07)) } catch (err) {
 *   (err as BrineError).code; // "RPYC_ERR_BRINE_MALFORMED"
 * }
 */
export class BrineError extends RpycError {
  override name = "BrineError";
}

/** Malformed brine, frame or message (see `BrineError`). */
export const RPYC_ERR_BRINE_MALFORMED = "RPYC_ERR_BRINE_MALFORMED";
/** A brine value or frame over one of `DEFAULT_BRINE_LIMITS` (see `BrineError`). */
export const RPYC_ERR_BRINE_LIMIT = "RPYC_ERR_BRINE_LIMIT";
/** A JS value brine cannot carry by value (see `BrineError`). */
export const RPYC_ERR_BRINE_UNSUPPORTED = "RPYC_ERR_BRINE_UNSUPPORTED";

/**
 * The Python peer asked for something this side refuses: a handler that a JS peer cannot
 * serve (PICKLE, always; OLDSLICING), or an object id it never received.
 *
 * @example
 * // In Python: pickle.dumps(js_netref) -> ValueError: "pickling is refused by rpyc-ts ..."
 */
export class PythonRefusedError extends RpycError {
  override name = "PythonRefusedError";
  constructor(message: string) {
    super("RPYC_ERR_PYTHON_REFUSED", message);
  }
}

/** What Python sent about an exception (RPyC's "vinegar" tuple), decoded. */
export interface PythonExceptionInfo {
  /** The exception's module, e.g. "builtins". */
  readonly module: string;
  /** The exception's class name, e.g. "ValueError". */
  readonly typeName: string;
  /** `exc.args` (brine values; non-brine args arrive as their `repr`). */
  readonly args: readonly unknown[];
  /** Public attributes of the exception as `[name, value]` (values often `repr` strings). */
  readonly attributes: ReadonlyMap<string, unknown>;
  /** The remote traceback text ("<traceback denied>" when the peer hides it). */
  readonly traceback: string;
}

/**
 * An exception raised on the Python side of a call. `pythonType` is "module.Class"
 * ("builtins.ValueError"), `args` are the exception's args, `remoteTraceback` the Python
 * traceback text; `.message` names the type and the first arg.
 *
 * @example
 * try { await conn.root.fail() } catch (err) {
 *   if (err instanceof PythonError) console.log(err.pythonType, err.args, err.remoteTraceback);
 * }
 */
export class PythonError extends RpycError {
  override name = "PythonError";
  readonly pythonType: string;
  readonly args: readonly unknown[];
  readonly attributes: ReadonlyMap<string, unknown>;
  readonly remoteTraceback: string;
  constructor(info: PythonExceptionInfo) {
    const type = info.module === "builtins" ? info.typeName : `${info.module}.${info.typeName}`;
    const first = info.args.length > 0 ? `: ${String(info.args[0])}` : "";
    super("RPYC_ERR_PYTHON_EXCEPTION", `${type}${first}`);
    this.pythonType = `${info.module}.${info.typeName}`;
    this.args = info.args;
    this.attributes = info.attributes;
    this.remoteTraceback = info.traceback;
  }
}
