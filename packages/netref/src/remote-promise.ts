/**
 * Remote promises: what `ref.x` and `ref.m(...)` return. A remote promise is thenable (await it
 * for the value) and usable like a netref before it settles (pipelining):
 *
 * - `ref.x` is lazy: nothing is sent until it is awaited or used as a target.
 * - `ref.m(a)` is one `CallAttr` request (never Get then Call), queued by the host and sent at
 *   the end of the current microtask together with everything else made in the same stretch.
 * - An operation on a remote promise whose request has not left yet targets its `Pending`
 *   result and bumps the request's `pin`, so `await ref.a().b.c()` is one round trip. When the
 *   request already left, the operation waits for the reply and applies to the real value
 *   (a netref: a new request; anything else: plain local JavaScript semantics).
 */
import { Op, WireRef } from "@rpyc/protocol";
import { ReleasedNetrefError } from "./errors.ts";
import {
  type CallOptions,
  INSPECT,
  PROMISE_STATE,
  type Parent,
  type PromiseSource,
  type RemotePromiseState,
  type SessionLike,
  isRemotePromise,
  netrefViews,
  parentOf,
  remotePromises,
} from "./netref-state.ts";
import { createRemoteIterator } from "./remote-iterator.ts";

function optionsOf(parent: Parent): CallOptions | undefined {
  return parent.kind === "netref" ? parent.view.options : parent.options;
}

function sessionOf(parent: Parent): SessionLike {
  return parent.kind === "netref" ? parent.view.core.session : parent.session;
}

/**
 * Applies `op` to `parent` and returns the remote promise of its result. Never throws: failures
 * (a released netref, a closed connection, a boxing error) reject the returned promise.
 */
export function issue(
  parent: Parent,
  op: Op,
  name: string | number | undefined,
  args: readonly unknown[],
): object & PromiseLike<unknown> {
  const session = sessionOf(parent);
  const options = optionsOf(parent);
  let source: PromiseSource;
  try {
    source = startSource(parent, op, name, args, session, options);
  } catch (err) {
    source = { kind: "value", promise: rejected(err) };
  }
  return createRemotePromise(session, options, source, undefined);
}

function startSource(
  parent: Parent,
  op: Op,
  name: string | number | undefined,
  args: readonly unknown[],
  session: SessionLike,
  options: CallOptions | undefined,
): PromiseSource {
  if (needsAwait(args, session)) {
    // Some argument is a remote promise that cannot be pipelined: wait for every such
    // argument, then issue the operation with their values.
    // Only remote promises are awaited: other arguments (a native Promise, a thenable) keep
    // their usual boxing.
    const waits = args.map((a) =>
      isRemotePromise(a) ? Promise.resolve(a as PromiseLike<unknown>) : null,
    );
    const promise = Promise.all(waits).then(
      (resolved) =>
        issue(
          parent,
          op,
          name,
          args.map((a, i) => (waits[i] === null ? a : resolved[i])),
        ) as PromiseLike<unknown>,
    );
    return { kind: "value", promise: handled(promise) };
  }
  const target = targetOf(parent);
  if (target instanceof WireRef) {
    const keepAlive = parent.kind === "netref" ? parent.proxy : parent.proxy!;
    return { kind: "call", call: session.startOp(op, target, name, args, options, keepAlive) };
  }
  return { kind: "value", promise: handled(target.then((value) => actOn(value, op, name, args))) };
}

/** True when an argument is a remote promise that cannot be sent as a `Pending` ref. */
function needsAwait(args: readonly unknown[], session: SessionLike): boolean {
  for (const arg of args) {
    if (typeof arg !== "function") continue;
    const state = remotePromises.get(arg);
    if (state === undefined) continue;
    if (state.session !== session) return true;
    materialize(state);
    if (state.source.kind !== "call" || !state.source.call.canPin()) return true;
  }
  return false;
}

/**
 * The `Pending` ref for using `state`'s result inside another request (boxing hook), or
 * undefined when the result can no longer be pipelined.
 */
export function pendingRefOf(state: RemotePromiseState): WireRef | undefined {
  materialize(state);
  return state.source.kind === "call" ? state.source.call.pin() : undefined;
}

/** Turns a lazy `ref.x` into its Get request (or value chain). Idempotent. */
function materialize(state: RemotePromiseState): void {
  const source = state.source;
  if (source.kind !== "get") return;
  try {
    state.source = startSource(
      source.parent,
      Op.Get,
      source.name,
      [],
      state.session,
      state.options,
    );
  } catch (err) {
    state.source = { kind: "value", promise: rejected(err) };
  }
}

/** A wire target for `parent`, or a promise of the local value to act on instead. */
function targetOf(parent: Parent): WireRef | Promise<unknown> {
  if (parent.kind === "netref") {
    const core = parent.view.core;
    if (core.released) throw new ReleasedNetrefError();
    return core.wireRef;
  }
  const state = parent;
  materialize(state);
  const source = state.source;
  if (source.kind === "call") return source.call.pin() ?? source.call.promise;
  if (source.kind === "value") return source.promise;
  throw new Error("unreachable: materialized source is lazy");
}

/** Applies `op` to a settled value: a netref gets a new request, anything else local JS. */
async function actOn(
  value: unknown,
  op: Op,
  name: string | number | undefined,
  args: readonly unknown[],
): Promise<unknown> {
  const parent = parentOf(value);
  if (parent !== undefined) return issue(parent, op, name, args);
  const target = value as Record<string | number, unknown> & ((...a: unknown[]) => unknown);
  switch (op) {
    case Op.Get:
      return target[name!];
    case Op.CallAttr:
      return (target[name!] as (...a: unknown[]) => unknown).apply(target, args as unknown[]);
    case Op.Call:
      return target(...args);
    case Op.Construct:
      return Reflect.construct((name === undefined ? target : target[name]) as Function, args);
    default:
      throw new TypeError(`operation ${op} needs a netref, but the value arrived by value`);
  }
}

/** Settles `state`: sends a lazy Get if needed. Memoized by the source. */
export function settle(state: RemotePromiseState): Promise<unknown> {
  materialize(state);
  const source = state.source;
  if (source.kind === "call") return source.call.promise;
  if (source.kind === "value") return source.promise;
  throw new Error("unreachable: materialized source is lazy");
}

/**
 * Marks a fallback promise as handled: like a request's, its failure is seen by whoever awaits
 * the remote promise, and a fire-and-forget call must not become an unhandled rejection.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function rejected(err: unknown): Promise<never> {
  const promise = Promise.reject(err);
  promise.catch(() => undefined); // observed by whoever awaits the remote promise
  return promise;
}

function describe(state: RemotePromiseState): string {
  const source = state.origin;
  return source === undefined ? "[RemotePromise]" : `[RemotePromise .${source.name}]`;
}

type Target = (() => void) & {
  [PROMISE_STATE]: RemotePromiseState;
  [INSPECT]: typeof inspectRemotePromise;
};

/**
 * `util.inspect` reads the custom inspect function on a proxy's target (see netref-proxy.ts):
 * a remote promise prints as `[RemotePromise .name]`, without sending anything.
 */
function inspectRemotePromise(this: unknown): string {
  const state = remotePromises.get(this);
  return state === undefined ? "[RemotePromise]" : describe(state);
}

/**
 * `then` of every remote promise: one shared function (no closure per `await`, the hot path),
 * which finds its promise through `this`, as `Promise.prototype.then` does.
 */
function remoteThen(
  this: unknown,
  onFulfilled?: (v: unknown) => unknown,
  onRejected?: (e: unknown) => unknown,
): Promise<unknown> {
  const state = remotePromises.get(this);
  if (state === undefined) {
    throw new TypeError("then must be called on a remote promise (as p.then(...), not detached)");
  }
  return settle(state).then(onFulfilled, onRejected);
}

// One handler for every remote promise (no per-proxy closures: this is the hot path); the
// state rides on the proxy's target function.
const handler: ProxyHandler<Target> = {
  get(target, key) {
    const state = target[PROMISE_STATE];
    if (typeof key === "symbol") {
      if (key === PROMISE_STATE) return state;
      if (key === Symbol.asyncIterator)
        return () => createRemoteIterator(state, issue, releaseIfNetref);
      if (key === Symbol.toPrimitive) return () => describe(state);
      if (key === Symbol.toStringTag) return "RemotePromise";
      if (key === INSPECT) return () => describe(state);
      return undefined;
    }
    switch (key) {
      case "then":
        return remoteThen;
      case "catch":
        return (onRejected?: (e: unknown) => unknown) => settle(state).catch(onRejected);
      case "finally":
        return (onFinally?: () => void) => settle(state).finally(onFinally);
      case "toString":
        return () => describe(state);
      default:
        state.session.expectPipelined();
        return createRemotePromise(
          state.session,
          state.options,
          { kind: "get", parent: state, name: key },
          { parent: state, name: key },
        );
    }
  },
  apply(target, _this, args: unknown[]) {
    // `ref.m(...)`: one CallAttr on ref; `p(...)` on a call's result: Call on that result.
    const state = target[PROMISE_STATE];
    const origin = state.origin;
    if (origin !== undefined) return issue(origin.parent, Op.CallAttr, origin.name, args);
    return issue(state, Op.Call, undefined, args);
  },
  construct(target, args: unknown[]) {
    const state = target[PROMISE_STATE];
    const origin = state.origin;
    if (origin !== undefined) return issue(origin.parent, Op.Construct, origin.name, args);
    return issue(state, Op.Construct, undefined, args);
  },
  set() {
    throw new TypeError("cannot assign through a remote promise; use setAttr(ref, name, value)");
  },
  deleteProperty() {
    throw new TypeError("cannot delete through a remote promise; use delAttr(ref, name)");
  },
  defineProperty() {
    throw new TypeError(
      "cannot define properties on a remote promise; use setAttr(ref, name, value)",
    );
  },
  has() {
    return false;
  },
};

/** A remote promise's state; a class so that `util.inspect` prints a description (see View). */
class PromiseState implements RemotePromiseState {
  readonly kind = "promise" as const;
  proxy: object | undefined = undefined;
  constructor(
    readonly session: SessionLike,
    readonly options: CallOptions | undefined,
    public source: PromiseSource,
    readonly origin: { readonly parent: Parent; readonly name: string } | undefined,
  ) {}
  [INSPECT](): string {
    return describe(this);
  }
}

/** Creates the proxy for a remote promise. `origin` is set for `ref.name` promises. */
export function createRemotePromise(
  session: SessionLike,
  options: CallOptions | undefined,
  source: PromiseSource,
  origin: { parent: Parent; name: string } | undefined,
): object & PromiseLike<unknown> {
  const state = new PromiseState(session, options, source, origin);
  const target = function remotePromise() {} as Target;
  target[PROMISE_STATE] = state;
  target[INSPECT] = inspectRemotePromise;
  const proxy = new Proxy(target, handler) as unknown as object & PromiseLike<unknown>;
  state.proxy = proxy;
  return proxy;
}

/** Releases `value` if it is a netref (end of a remote iteration). */
function releaseIfNetref(value: unknown): void {
  if (typeof value !== "function") return;
  const view = netrefViews.get(value);
  if (view !== undefined) view.core.session.releaseNetref(view.core);
}
