/**
 * Exceptions both ways, in RPyC's "vinegar" layout (`rpyc/core/vinegar.py`):
 *
 *     ((module, class), args, ((attr, value), …), traceback_text)     or the int 1 = StopIteration
 *
 * Python → JS: a `PythonError` with the type, args, attributes and remote traceback. JS → Python:
 * the error's message as the only arg, its `name`/`code` as attributes and the JS stack as the
 * traceback; the Python class is a builtin where one fits (`AccessDeniedError` → AttributeError,
 * `TypeError` → TypeError, `RangeError` → ValueError), else `Exception`.
 */
import { AccessDeniedError } from "@rpyc/netref";
import { isBrineable } from "./brine-encode.ts";
import { BrineError, PythonError, PythonRefusedError, RPYC_ERR_BRINE_MALFORMED } from "./errors.ts";
import { EXC_STOP_ITERATION } from "./handlers.ts";
import type { Dialect } from "./messages.ts";

/** Raised by a JS iterator's `__next__` when it is done: Python sees StopIteration. */
export class StopIterationSignal extends Error {
  override name = "StopIteration";
}

/**
 * Decodes an EXCEPTION body into the error a pending call rejects with.
 *
 * @example
 * loadPythonException([["builtins", "ValueError"], ["boom"], [], "Traceback…"]); // PythonError
 */
export function loadPythonException(body: unknown): Error {
  if (body === EXC_STOP_ITERATION) return new StopIterationSignal("StopIteration");
  if (typeof body === "string") {
    return new PythonError({
      module: "builtins",
      typeName: "Exception",
      args: [body],
      attributes: new Map(),
      traceback: "",
    });
  }
  if (!Array.isArray(body) || body.length !== 4) {
    throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "an EXCEPTION body is not a 4-tuple");
  }
  const [names, args, attrs, tb] = body as unknown[];
  if (
    !Array.isArray(names) ||
    names.length !== 2 ||
    typeof names[0] !== "string" ||
    typeof names[1] !== "string" ||
    !Array.isArray(args) ||
    !Array.isArray(attrs)
  ) {
    throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "an EXCEPTION body has the wrong shape");
  }
  const attributes = new Map<string, unknown>();
  for (const pair of attrs as unknown[]) {
    if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string") {
      attributes.set(pair[0], pair[1]);
    }
  }
  return new PythonError({
    module: names[0],
    typeName: names[1],
    args: args as unknown[],
    attributes,
    traceback: typeof tb === "string" ? tb : "",
  });
}

function pythonClassOf(err: unknown): [string, string] {
  if (err instanceof PythonError) {
    const dot = err.pythonType.lastIndexOf(".");
    return [err.pythonType.slice(0, dot), err.pythonType.slice(dot + 1)];
  }
  if (err instanceof AccessDeniedError) return ["builtins", "AttributeError"];
  if (err instanceof PythonRefusedError) return ["builtins", "ValueError"];
  if (err instanceof TypeError) return ["builtins", "TypeError"];
  if (err instanceof RangeError) return ["builtins", "ValueError"];
  return ["builtins", "Exception"];
}

/** What `_remote_version` says: the dialect's major, so Python adds no version warning. */
function versionFor(dialect: Dialect): string {
  return `${dialect}.0.0+rpyc-ts`;
}

/**
 * Encodes a JS error (or any thrown value) as an EXCEPTION body.
 *
 * @example
 * dumpJsException(new TypeError("no"), "6", true); // [["builtins","TypeError"],["no"],[…],"TypeError: no\n  at …"]
 */
export function dumpJsException(err: unknown, dialect: Dialect, includeStack: boolean): unknown {
  if (err instanceof StopIterationSignal) return EXC_STOP_ITERATION;
  if (err instanceof PythonError) {
    const attrs = [...err.attributes].filter(([, v]) => isBrineable(v));
    return [pythonClassOf(err), err.args.filter((a) => isBrineable(a)), attrs, err.remoteTraceback];
  }
  const message = err instanceof Error ? err.message : String(err);
  const attrs: [string, unknown][] = [];
  if (err instanceof Error) attrs.push(["js_name", err.name]);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string") attrs.push(["js_code", code]);
  attrs.push(["_remote_version", versionFor(dialect)]);
  const stack = err instanceof Error && typeof err.stack === "string" ? err.stack : message;
  return [
    pythonClassOf(err),
    [message],
    attrs,
    includeStack ? `JavaScript ${stack}\n` : "<traceback denied>",
  ];
}
