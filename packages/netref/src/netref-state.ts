/**
 * The hidden state behind netref proxies and remote promises, and the narrow view of a session
 * they need. Proxies keep no state on themselves: everything is looked up here by proxy, so a
 * remote object can have any property names (RPyC's `____conn__` slots, without the slots).
 */
import type { Op, WireRef } from "@rpyc/protocol";

/**
 * Per-call options (`withOptions(ref, { timeout, signal })`).
 *
 * @example
 * withOptions(ref, { timeout: 1000, signal: controller.signal });
 */
export interface CallOptions {
  /** Milliseconds before the call rejects with a TimeoutError (default: the connection's `timeout`). */
  readonly timeout?: number;
  /** Aborting it rejects the call and cancels the remote handler. */
  readonly signal?: AbortSignal;
}

/**
 * A request handed to the host: it leaves at the end of the current microtask.
 *
 * @example
 * const call = host.request(Op.Get, target, "x", [], undefined, proxy);
 * const pending = call.pin(); // a Pending ref while the request has not left
 */
export interface OutgoingCall {
  readonly seq: number;
  /** Settles with the unboxed reply (or rejects with the remote or local error). */
  readonly promise: Promise<unknown>;
  /**
   * Registers one more request that names this call's result (pipelining) and returns the
   * `Pending` ref to use, or `undefined` when the request already left without enough pins
   * (then the dependent must wait for the reply).
   */
  pin(): WireRef | undefined;
  /** True while `pin()` would succeed (the request has not left yet). */
  canPin(): boolean;
}

/** What proxies need from their session (implemented by `RefSession`). */
export interface SessionLike {
  /** Boxes `args`, then queues the request (see `NetrefHost.request`). */
  startOp(
    op: Op,
    target: WireRef,
    name: string | number | undefined,
    args: readonly unknown[],
    options: CallOptions | undefined,
    keepAlive: object,
  ): OutgoingCall;
  /** Releases an imported netref (explicit `release`). */
  releaseNetref(core: NetrefCore): void;
  /**
   * A lazy member of a remote promise was made (`p.x`): an `await` on it, one microtask later,
   * may still pipeline on `p`'s request, so the next flush waits for that microtask.
   */
  expectPipelined(): void;
  /** A local description of a netref (no I/O). */
  describe(core: NetrefCore): string;
}

/** One imported remote object, shared by its proxy and its `withOptions` views. */
export interface NetrefCore {
  /** Its session; a lost session's netrefs are moved to a `LostSession` (they fail at once). */
  session: SessionLike;
  readonly id: number;
  /** The `Yours` ref requests use to target it (cached). */
  readonly wireRef: WireRef;
  /** The canonical proxy (the one the import table tracks). Views keep it alive. */
  proxy: object | undefined;
  released: boolean;
}

/** A netref proxy: a core plus the call options of this view. */
export interface NetrefView {
  readonly core: NetrefCore;
  readonly options: CallOptions | undefined;
  /** This view as an operation parent (set once the proxy exists). */
  parent: NetrefParent | undefined;
  /** Lazy `ref.name` promises not yet sent, reused by `ref.name(...)` calls (hot path). */
  members: Map<string, object> | undefined;
}

export interface NetrefParent {
  readonly kind: "netref";
  readonly view: NetrefView;
  readonly proxy: object;
}

/** Where a remote promise's value comes from. */
export type PromiseSource =
  /** `ref.x`, not yet needed: nothing was sent. */
  | { readonly kind: "get"; readonly parent: Parent; readonly name: string }
  /** A request that went (or goes) to the peer. */
  | { readonly kind: "call"; readonly call: OutgoingCall }
  /** A local promise (fallback when pipelining was not possible). */
  | { readonly kind: "value"; readonly promise: Promise<unknown> };

export interface RemotePromiseState {
  /** A remote promise is its own `Parent` when operated on. */
  readonly kind: "promise";
  readonly session: SessionLike;
  readonly options: CallOptions | undefined;
  source: PromiseSource;
  /** For `ref.m` promises: the parent and name, so `ref.m(...)` is one CallAttr. */
  readonly origin: { readonly parent: Parent; readonly name: string } | undefined;
  /** The proxy (kept so that a request can pin it). */
  proxy: object | undefined;
}

/** What an operation is applied to. */
export type Parent = NetrefParent | RemotePromiseState;

/**
 * The keys under which a netref proxy answers its view and a remote promise its state. They
 * are module-private symbols, so no other code can read or fake them; looking them up costs a
 * property read (no WeakMap entry per proxy: proxies are made on the hot path).
 */
export const NETREF_VIEW: unique symbol = Symbol("rpyc.netrefView");
export const PROMISE_STATE: unique symbol = Symbol("rpyc.remotePromiseState");

/** Looks up netref views by proxy. */
export const netrefViews = {
  get(value: unknown): NetrefView | undefined {
    return typeof value === "function"
      ? ((value as unknown as { [NETREF_VIEW]?: NetrefView })[NETREF_VIEW] ?? undefined)
      : undefined;
  },
  has(value: unknown): boolean {
    return netrefViews.get(value) !== undefined;
  },
};

/** Looks up remote promise states by proxy. */
export const remotePromises = {
  get(value: unknown): RemotePromiseState | undefined {
    return typeof value === "function"
      ? ((value as unknown as { [PROMISE_STATE]?: RemotePromiseState })[PROMISE_STATE] ?? undefined)
      : undefined;
  },
  has(value: unknown): boolean {
    return remotePromises.get(value) !== undefined;
  },
};

/**
 * True when `value` is a netref (a proxy for a remote object). Remote promises (`ref.x`,
 * `ref.m()`) are not netrefs until awaited.
 *
 * @example
 * const token = await root.login("foo", "bar");
 * isNetref(token); // true
 */
export function isNetref(value: unknown): boolean {
  return typeof value === "function" && netrefViews.has(value);
}

/**
 * True when `value` is a remote promise: the thenable `ref.x` / `ref.m()` returns, usable for
 * pipelining before it settles.
 *
 * @example
 * isRemotePromise(root.users); // true
 */
export function isRemotePromise(value: unknown): boolean {
  return typeof value === "function" && remotePromises.has(value);
}

/** Symbol Node's `util.inspect` calls (a registered symbol: no Node import needed). */
export const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** The parent an operation on `value` applies to, or undefined when `value` is neither kind. */
export function parentOf(value: unknown): Parent | undefined {
  if (typeof value !== "function") return undefined;
  return netrefViews.get(value)?.parent ?? remotePromises.get(value);
}
