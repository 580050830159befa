/**
 * Netrefs to Python objects as awaitable proxies, in the rpyc-ts style:
 *
 *     const lst = await conn.root.getlist();      // one CALLATTR
 *     await lst.count(2);                         // CALLATTR "count"
 *     await conn.root.version;                    // GETATTR
 *     await conn.root.getobj().name;              // CALLATTR, then GETATTR; the middle netref is released
 *
 * A netref (`PyNetref`) is a callable proxy: reading a name gives a `PyPending` (a callable
 * thenable: call it for CALLATTR, await it for GETATTR); calling the netref itself is CALL.
 * Netrefs are cached per Python object (id_pack): receiving the same object again returns the
 * same proxy and adds one to the count that its DEL will give back.
 *
 * Ownership: a netref the caller awaited is the caller's until `release(ref)` (or garbage
 * collection); one made and consumed inside a chain is released by the chain.
 */
import { inspect } from "node:util";
import type { IdPack } from "./handlers.ts";

/** Per-call options (`withOptions`). */
export interface PyCallOptions {
  /** Milliseconds to wait for the reply (default: the connection's `timeout`, 30 s). */
  readonly timeout?: number;
}

/** What a netref needs from its connection (implemented by `PythonConnection`). */
export interface NetrefHost {
  /** Sends a request whose args tuple starts with the target, resolves with the unboxed reply. */
  request(handler: number, args: readonly unknown[], options: PyCallOptions): Promise<unknown>;
  /** Gives back every count held on `state` (one DEL), once. */
  releaseState(state: RefState): void;
}

/** The bookkeeping of one Python object this side holds netrefs to. */
export interface RefState {
  readonly host: NetrefHost;
  readonly idPack: IdPack;
  /** Times the object was received: what DEL gives back. */
  refcount: number;
  /** Live holders (the user's netref, chain steps in progress); a chain frees at zero. */
  holders: number;
  released: boolean;
}

interface NetrefMeta {
  readonly state: RefState;
  readonly options: PyCallOptions;
}

/** A Python object seen from JS: awaitable members, callable. */
export type PyNetref = PyPending & ((...args: unknown[]) => PyPending);

/** A pending value: await it, call it, or read a member of it. */
export interface PyPending extends PromiseLike<any> {
  readonly [name: string]: any;
  (...args: unknown[]): PyPending;
}

const metas = new WeakMap<object, NetrefMeta>();

/** The state behind a netref, or undefined for anything else. */
export function netrefMeta(value: unknown): NetrefMeta | undefined {
  return (typeof value === "function" || typeof value === "object") && value !== null
    ? metas.get(value)
    : undefined;
}

/**
 * True for a netref to a Python object.
 *
 * @example
 * isPythonNetref(await conn.root.getlist()); // true
 */
export function isPythonNetref(value: unknown): boolean {
  return netrefMeta(value) !== undefined;
}

/** Keyword arguments for a Python call: `ref.m(1, kw({ sep: "," }))`. */
export class Kwargs {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

/**
 * Marks keyword arguments; must be the last argument of a call.
 *
 * @example
 * await conn.root.format(1, 2, kw({ sep: "-" })); // format(1, 2, sep="-")
 */
export function kw(values: Record<string, unknown>): Kwargs {
  return new Kwargs(Object.entries(values));
}

/** Splits a JS argument list into Python positional args and kwargs pairs. */
export function splitArgs(args: readonly unknown[]): [unknown[], (readonly [string, unknown])[]] {
  const last = args[args.length - 1];
  if (last instanceof Kwargs) return [args.slice(0, -1), [...last.entries]];
  return [[...args], []];
}

/** A step's result and whether the step owns a holder on it that it must give back. */
export interface Held {
  readonly value: unknown;
  readonly owned: boolean;
}

/** Gives back a chain step's holder on `value` (no-op for values and user-held netrefs). */
export function drop(held: Held): void {
  if (!held.owned) return;
  const meta = netrefMeta(held.value);
  if (meta === undefined) return;
  meta.state.holders--;
  if (meta.state.holders <= 0) meta.state.host.releaseState(meta.state);
}

type Source = () => Promise<Held>;

/** How to apply a handler to whatever `source` resolves to. */
function step(source: Source, run: (target: unknown) => Promise<unknown>): Source {
  return async () => {
    const parent = await source();
    try {
      const value = await run(parent.value);
      // A netref produced inside a chain got one holder from its unboxing: the chain owns it.
      return { value, owned: netrefMeta(value) !== undefined };
    } finally {
      drop(parent);
    }
  };
}

function targetOf(value: unknown, what: string): NetrefMeta {
  const meta = netrefMeta(value);
  if (meta === undefined) {
    throw new TypeError(
      `cannot ${what} a ${value === null ? "None" : typeof value} (not a Python netref)`,
    );
  }
  return meta;
}

function request(
  target: unknown,
  handler: number,
  args: unknown[],
  what: string,
): Promise<unknown> {
  const meta = targetOf(target, what);
  return meta.state.host.request(handler, [target, ...args], meta.options);
}

// Handler ids used here (see handlers.ts), kept local to avoid an import cycle.
const GETATTR = 4;
const CALL = 7;
const CALLATTR = 8;

function pending(source: Source, attribute?: { parent: Source; name: string }): PyPending {
  const resolveForUser = (): Promise<unknown> => source().then((held) => held.value); // the user now owns the holder
  const target = function pyPending() {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === "then") {
        return (ok?: (v: unknown) => unknown, fail?: (e: unknown) => unknown) =>
          resolveForUser().then(ok, fail);
      }
      if (prop === "catch") return (fail: (e: unknown) => unknown) => resolveForUser().catch(fail);
      if (prop === "finally") return (f: () => void) => resolveForUser().finally(f);
      if (prop === Symbol.asyncIterator) {
        return () => iterateSource(source);
      }
      if (prop === inspect.custom) return () => "<pending Python value>";
      if (prop === SOURCE) return source;
      if (typeof prop !== "string") return undefined;
      return pending(
        step(source, (v) => request(v, GETATTR, [prop], `read '${prop}' of`)),
        { parent: source, name: prop },
      );
    },
    apply(_t, _this, args: unknown[]) {
      const [positional, kwargs] = splitArgs(args);
      if (attribute !== undefined) {
        return pending(
          step(attribute.parent, (v) =>
            request(
              v,
              CALLATTR,
              [attribute.name, positional, kwargs],
              `call '${attribute.name}' of`,
            ),
          ),
        );
      }
      return pending(step(source, (v) => request(v, CALL, [positional, kwargs], "call")));
    },
  }) as unknown as PyPending;
}

/** Iterates whatever `source` resolves to (see `iterate`), giving back the chain's holder. */
async function* iterateSource(source: Source): AsyncGenerator<unknown> {
  const held = await source();
  try {
    yield* iterateNetref(held.value);
  } finally {
    drop(held);
  }
}

let iterateImpl: ((ref: unknown) => AsyncGenerator<unknown>) | undefined;

/** Registers the iteration routine (helpers.ts provides it; keeps this file free of BUFFITER). */
export function setIterate(fn: (ref: unknown) => AsyncGenerator<unknown>): void {
  iterateImpl = fn;
}

function iterateNetref(ref: unknown): AsyncGenerator<unknown> {
  return iterateImpl!(ref);
}

/**
 * The proxy for `state` with `options` (one per state is registered for collection by the
 * connection; option variants keep that one alive).
 */
export function createNetref(
  state: RefState,
  options: PyCallOptions = {},
  keepAlive?: object,
): PyNetref {
  const self: Source = () => Promise.resolve({ value: proxy, owned: false });
  const target = function pyNetref() {};
  const proxy: PyNetref = new Proxy(target, {
    get(_t, prop) {
      if (prop === "then") return undefined; // awaiting a netref gives the netref
      if (prop === keepAliveKey) return keepAlive;
      if (prop === Symbol.asyncIterator) return () => iterateNetref(proxy);
      if (prop === Symbol.dispose || prop === Symbol.asyncDispose) {
        return () => state.host.releaseState(state);
      }
      if (prop === inspect.custom || prop === Symbol.toStringTag) {
        return () => `<Python netref ${state.idPack[0]}${state.released ? " (released)" : ""}>`;
      }
      if (typeof prop !== "string") return undefined;
      return pending(
        step(self, (v) => request(v, GETATTR, [prop], `read '${prop}' of`)),
        { parent: self, name: prop },
      );
    },
    apply(_t, _this, args: unknown[]) {
      const [positional, kwargs] = splitArgs(args);
      return pending(step(self, (v) => request(v, CALL, [positional, kwargs], "call")));
    },
    set() {
      throw new TypeError("netref attributes are set with setAttr(ref, name, value)");
    },
  }) as PyNetref;
  metas.set(proxy, { state, options });
  return proxy;
}

const keepAliveKey = Symbol("keepAlive");
const SOURCE = Symbol("source");

/**
 * Resolves a netref, a pending value or a promise, saying whether the caller owns (and must
 * `drop`) a holder on the result: it does when the value came out of a pending chain.
 */
export async function resolveHeld(ref: unknown): Promise<Held> {
  if (netrefMeta(ref) !== undefined) return { value: ref, owned: false };
  const source = (
    typeof ref === "function" ? (ref as unknown as Record<symbol, unknown>)[SOURCE] : undefined
  ) as Source | undefined;
  if (source !== undefined) return source();
  return { value: await (ref as PromiseLike<unknown>), owned: false };
}

/**
 * The same netref with per-call options (milliseconds), as in @rpyc/core.
 *
 * @example
 * await withOptions(conn.root, { timeout: 100 }).slow(); // TimeoutError after 100 ms
 */
export function withOptions<T>(ref: T, options: PyCallOptions): T {
  const meta = targetOf(ref, "set options on");
  return createNetref(meta.state, { ...meta.options, ...options }, ref as object) as T;
}

/**
 * A pending value that resolves `producer` (used for `conn.root`).
 *
 * @example
 * const root = pendingOf(() => conn.request(GETROOT, [], {}));
 */
export function pendingOf(producer: () => Promise<unknown>): PyPending {
  return pending(async () => ({ value: await producer(), owned: false }));
}
