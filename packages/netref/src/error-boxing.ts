/**
 * Errors cross the wire by value (ARCHITECTURE §7): `name`, `message`, `code`, `cause`, own
 * enumerable properties and (unless the sender withholds it) the stack. The receiver rebuilds
 * built-in classes as themselves, rpyc-ts's own classes and `registerError`ed classes as
 * themselves, and anything else as `RemoteError` carrying the remote class name.
 */
import { ProtocolError, RpycError, WireError } from "@rpyc/protocol";
import {
  AccessDeniedError,
  BoxingError,
  OverReleaseError,
  ReleasedNetrefError,
  RemoteError,
  UnknownRefError,
} from "./errors.ts";
import { isAnyError } from "./other-realm.ts";

/**
 * A class an error can be rebuilt as. Its constructor is not called (see `fromWireError`).
 *
 * @example
 * const cls: ErrorClass = TypeError;
 */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Looks up a rebuildable class by the remote error's `name`.
 *
 * @example
 * const lookup: ErrorClassLookup = (name) => myClasses[name] ?? lookupErrorClass(name);
 */
export type ErrorClassLookup = (name: string) => ErrorClass | undefined;

const BUILTIN_ERRORS: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

const NETREF_ERRORS: Record<string, ErrorClass> = {
  RpycError,
  ProtocolError,
  AccessDeniedError,
  ReleasedNetrefError,
  UnknownRefError,
  OverReleaseError,
  BoxingError,
  RemoteError,
};

const registered = new Map<string, ErrorClass>();

/**
 * Registers a custom error class so that errors of that class thrown by a peer come back as
 * instances of it (matched by the error's `name`, which defaults to the class name). Register the
 * same class on the receiving side. The constructor is not run when rebuilding: `name`,
 * `message`, `code`, `cause`, the stack and own properties are copied onto a new instance.
 *
 * @example
 * class ValidationError extends Error { override name = "ValidationError"; }
 * registerError(ValidationError);
 * try { await root.save(bad) } catch (err) { err instanceof ValidationError } // true
 */
export function registerError(cls: ErrorClass, name: string = cls.name): void {
  if (name === "" || Object.hasOwn(BUILTIN_ERRORS, name)) {
    throw new TypeError(
      `registerError: '${name}' cannot be registered (empty, or a built-in class)`,
    );
  }
  registered.set(name, cls);
}

/**
 * The default lookup: built-ins, rpyc-ts's own classes, then `registerError`ed ones.
 *
 * @example
 * lookupErrorClass("TypeError"); // TypeError
 */
export function lookupErrorClass(name: string): ErrorClass | undefined {
  if (Object.hasOwn(BUILTIN_ERRORS, name)) return BUILTIN_ERRORS[name];
  if (Object.hasOwn(NETREF_ERRORS, name)) return NETREF_ERRORS[name];
  return registered.get(name);
}

const SKIPPED_PROPS = new Set([
  "name",
  "message",
  "stack",
  "code",
  "cause",
  "__proto__",
  "constructor",
]);

/**
 * Turns a thrown value into a `WireError`. `box` boxes `cause` and own properties.
 *
 * @example
 * const wire = toWireError(new TypeError("x"), true, (v) => v);
 */
export function toWireError(
  err: unknown,
  includeStack: boolean,
  box: (value: unknown) => unknown,
): WireError {
  if (!isAnyError(err)) {
    // A thrown non-Error (a string, a number…) travels as an Error carrying it as `cause`.
    return new WireError(
      "Error",
      `non-error thrown: ${describeThrown(err)}`,
      undefined,
      undefined,
      box(err),
    );
  }
  // The thrower's code whatever its type (a string, a number like errno's, an object).
  const code = (err as { code?: unknown }).code;
  const props: Record<string, unknown> = {};
  let hasProps = false;
  for (const key of Object.keys(err)) {
    if (SKIPPED_PROPS.has(key)) continue;
    props[key] = box((err as unknown as Record<string, unknown>)[key]);
    hasProps = true;
  }
  const aggregate =
    err instanceof AggregateError ||
    (err.name === "AggregateError" && Object.hasOwn(err, "errors"));
  if (aggregate && !Object.hasOwn(props, "errors")) {
    props["errors"] = box((err as AggregateError).errors);
    hasProps = true;
  }
  return new WireError(
    String(err.name),
    String(err.message),
    code === undefined ? undefined : box(code),
    includeStack && typeof err.stack === "string" ? err.stack : undefined,
    "cause" in err ? box(err.cause) : undefined,
    hasProps ? props : undefined,
  );
}

function describeThrown(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  return typeof value === "object" || typeof value === "function" ? typeof value : String(value);
}

/** Errors rebuilt from the wire (see `isRemoteError`). */
const remoteErrors = new WeakSet<object>();

/**
 * True when `err` was thrown by the peer and rebuilt here (any class: a `TypeError`, a
 * registered class, a `RemoteError`, an rpyc-ts error the peer raised). Remoteness is not told
 * by `code`, which stays the thrower's.
 *
 * @example
 * try { await root.save(doc) } catch (err) {
 *   if (isRemoteError(err)) console.log("the server refused:", err.message);
 * }
 */
export function isRemoteError(err: unknown): err is Error {
  return typeof err === "object" && err !== null && remoteErrors.has(err);
}

/**
 * Rebuilds an error from a `WireError`. `unbox` unboxes `cause` and properties. The rebuilt
 * error's stack is the remote stack when one was sent (its first line names the remote class).
 *
 * @example
 * const err = fromWireError(message.error, lookupErrorClass, (v) => v);
 */
export function fromWireError(
  wire: WireError,
  lookup: ErrorClassLookup,
  unbox: (value: unknown) => unknown,
): Error {
  const props =
    wire.props === undefined ? undefined : (unbox(wire.props) as Record<string, unknown>);
  const cls = lookup(wire.name);
  let err: Error;
  if (cls === AggregateError) {
    const errors = props?.["errors"];
    err = new AggregateError(Array.isArray(errors) ? errors : [], wire.message);
  } else if (cls !== undefined && Object.hasOwn(BUILTIN_ERRORS, wire.name)) {
    err = new (cls as ErrorConstructor)(wire.message);
  } else if (cls !== undefined) {
    // A real Error (so stacks and inspection work) with the class's prototype, without running
    // a constructor whose parameters we cannot know.
    err = Reflect.construct(Error, [wire.message], cls) as Error;
    define(err, "name", wire.name);
  } else {
    err = new RemoteError(wire.name, wire.message);
  }
  remoteErrors.add(err);
  if (wire.code !== undefined) define(err, "code", unbox(wire.code));
  if (wire.cause !== undefined) define(err, "cause", unbox(wire.cause));
  if (props !== undefined) {
    for (const [key, value] of Object.entries(props)) {
      if (SKIPPED_PROPS.has(key) || (cls === AggregateError && key === "errors")) continue;
      Object.defineProperty(err, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  if (wire.stack !== undefined) define(err, "stack", wire.stack);
  return err;
}

function define(err: Error, key: string, value: unknown): void {
  Object.defineProperty(err, key, { value, enumerable: false, writable: true, configurable: true });
}
