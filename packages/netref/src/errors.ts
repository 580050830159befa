/**
 * Errors raised by @rpyc/netref (and re-exported by @rpyc/core). Every class extends `RpycError`
 * and carries a stable `RPYC_ERR_*` code: match on `err.code`, never on the message.
 */
import { RpycError } from "@rpyc/protocol";

/**
 * The peer asked for something this side's access policy does not expose. The message names the
 * attribute and the class and says how to expose it; the connection stays usable.
 *
 * @example
 * try { await conn.root.secret } catch (err) {
 *   if (err instanceof AccessDeniedError) console.log(err.attribute); // "secret"
 * }
 */
export class AccessDeniedError extends RpycError {
  override name = "AccessDeniedError";
  constructor(
    message: string,
    /** The attribute that was refused (or "" for a whole-object operation such as a call). */
    readonly attribute = "",
  ) {
    super("RPYC_ERR_ACCESS_DENIED", message);
  }
}

/**
 * A netref was used after `release(ref)`, `ref[Symbol.dispose]()` or its connection closed.
 *
 * @example
 * release(token);
 * await token.say("hi"); // rejects with ReleasedNetrefError (RPYC_ERR_NETREF_RELEASED)
 */
export class ReleasedNetrefError extends RpycError {
  override name = "ReleasedNetrefError";
  constructor(message = "this netref was released; ask its owner for a new one") {
    super("RPYC_ERR_NETREF_RELEASED", message);
  }
}

/**
 * The session this netref (or call) belonged to is gone: the connection dropped and came back
 * as a new session (no resume, or the server refused it), so the peer forgot every object of
 * the old one. `conn.root` works again; re-derive what you need from it (`retryOnDisconnect`).
 *
 * @example
 * try { await counter.increment() } catch (err) {
 *   if (err instanceof SessionLostError) counter = await conn.root.counter(); // err.code: RPYC_ERR_SESSION_LOST
 * }
 */
export class SessionLostError extends RpycError {
  override name = "SessionLostError";
  constructor(
    message = "the connection dropped and its session was lost; re-derive this object from conn.root",
    options?: ErrorOptions,
  ) {
    super("RPYC_ERR_SESSION_LOST", message, options);
  }
}

/**
 * A message named a reference the receiver does not hold (an unknown export id, an unknown or
 * already used pipelined result): a peer bug or a hostile peer.
 *
 * @example
 * // peer sends a request targeting export 999 → it gets an Error reply with RPYC_ERR_UNKNOWN_REF
 */
export class UnknownRefError extends RpycError {
  override name = "UnknownRefError";
  constructor(message: string) {
    super("RPYC_ERR_UNKNOWN_REF", message);
  }
}

/**
 * A `Release` message dropped more references than the peer held; the export is left untouched.
 *
 * @example
 * // peer releases id 3 with count 5 while holding 1 → Error(seq -1, RPYC_ERR_OVER_RELEASE)
 */
export class OverReleaseError extends RpycError {
  override name = "OverReleaseError";
  constructor(message: string) {
    super("RPYC_ERR_OVER_RELEASE", message);
  }
}

/**
 * A value could not be boxed for the wire: a cycle, nesting deeper than the limit, an
 * un-awaited remote promise nested inside a container, a symbol.
 *
 * @example
 * const a: any[] = []; a.push(a);
 * await conn.root.echo(a); // rejects with BoxingError (RPYC_ERR_BOXING) if cycles are unsupported
 */
export class BoxingError extends RpycError {
  override name = "BoxingError";
  constructor(message: string) {
    super("RPYC_ERR_BOXING", message);
  }
}

/**
 * A remote error whose class this side does not know (not built in, not an rpyc-ts error, not
 * registered with `registerError`). `remoteName` holds the remote class name; `message`, `code`
 * (the thrower's, whatever its type: `42`, `"E_QUOTA"`, or none), `cause`, own properties and
 * the remote stack are kept. It is not an `RpycError`: its `code` is the thrower's, not one of
 * rpyc-ts's. Every error rebuilt from the wire, of whatever class, answers `isRemoteError(err)`.
 *
 * @example
 * try { await root.fail() } catch (err) {
 *   if (err instanceof RemoteError) console.log(err.remoteName, err.code); // "ValidationError" 42
 * }
 */
export class RemoteError extends Error {
  override name = "RemoteError";
  /** The thrower's `code`, as it was (undefined when it had none). */
  readonly code: unknown;
  constructor(
    /** The remote error's `name`, e.g. "ValidationError". */
    readonly remoteName: string,
    message: string,
    code?: unknown,
  ) {
    super(message);
    this.code = code;
  }
}
