/**
 * Markers that change how a value crosses the wire or what the peer may do with it:
 * `byRef` (force reference semantics), `restricted` (expose an exact list of names), and the
 * `EXPOSURE_BOUNDARY` symbol a base class (core's `Service`) uses to stop the policy's walk.
 */

const byRefObjects = new WeakSet<object>();

/**
 * Marks `value` so that it always crosses the wire by reference (as a netref), even when it is a
 * plain object, an array, a Map or a Set that would otherwise be copied. Returns `value` itself.
 * Without `allowPublicAttrs` the peer may read a by-reference plain object's own properties and
 * call its function members, nothing else (see docs/security.md).
 *
 * @example
 * const counter = byRef({ n: 0, inc() { return ++this.n; } });
 * await peer.root.useCounter(counter); // the peer calls counter.inc() remotely
 */
export function byRef<T extends object>(value: T): T {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    throw new TypeError(
      "byRef(value) needs an object or a function; primitives always go by value",
    );
  }
  byRefObjects.add(value);
  return value;
}

/**
 * True when `value` was marked with `byRef`.
 *
 * @example
 * isByRef(byRef({})); // true
 */
export function isByRef(value: object): boolean {
  return byRefObjects.has(value);
}

/**
 * A view of an object that exposes exactly the listed names (RPyC's `restricted`). It crosses the
 * wire by reference; the peer can read (and call) only `names`, and set only `writable` names.
 *
 * @example
 * const view = new Restricted(file, ["read"]);
 */
export class Restricted {
  /** The names the peer may read or call. */
  readonly names: ReadonlySet<string>;
  /** The names the peer may set (needs no `allowSetAttr`: listing them is the permission). */
  readonly writable: ReadonlySet<string>;
  constructor(
    /** The object operations are applied to. */
    readonly target: object,
    names: Iterable<string>,
    writable: Iterable<string> = [],
  ) {
    this.names = new Set(names);
    this.writable = new Set(writable);
  }
}

/**
 * Wraps `target` so that the peer can use exactly `names` (read or call) and, optionally, set
 * exactly `writable`. Everything else is denied, whatever the connection's config; the
 * always-blocked names (`constructor`, `__proto__`, …) stay blocked even if listed.
 *
 * @example
 * const fileView = restricted(file, ["read", "size"]);
 * return fileView; // the peer may call read() and read size, nothing else
 */
export function restricted(
  target: object,
  names: Iterable<string>,
  options: { writable?: Iterable<string> } = {},
): Restricted {
  return new Restricted(target, names, options.writable);
}

/**
 * A prototype that owns this symbol ends the access policy's walk up a class chain: members it
 * (and anything above it) declares are never exposed. Its value lists names that stay hidden
 * even when a subclass overrides them (lifecycle hooks such as `onConnect`). Core's `Service`
 * declares it; objects whose chain contains it also refuse every set and delete from the wire.
 *
 * @example
 * class Base { get [EXPOSURE_BOUNDARY]() { return ["onConnect"]; } }
 */
export const EXPOSURE_BOUNDARY: unique symbol = Symbol.for("rpyc.exposureBoundary");
