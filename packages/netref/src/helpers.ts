/**
 * Explicit helpers for what a proxy trap cannot await (ARCHITECTURE §5): `setAttr`, `delAttr`,
 * `has`, `keys`, `repr`, `inspect`, `obtain`, `release`, `withOptions`. Each accepts a netref or
 * a remote promise (pipelined like any other operation).
 */
import { Op } from "@rpyc/protocol";
import type { Inspection } from "./local-ops.ts";
import {
  type CallOptions,
  type Parent,
  netrefViews,
  parentOf,
  remotePromises,
} from "./netref-state.ts";
import { createNetrefProxy } from "./netref-proxy.ts";
import { issue, settle } from "./remote-promise.ts";

function parentOrThrow(ref: unknown, helper: string): Parent {
  const parent = parentOf(ref);
  if (parent === undefined)
    throw new TypeError(`${helper}() needs a netref or a remote promise, got ${typeof ref}`);
  return parent;
}

/**
 * Sets `name` on the remote object (needs the owner's `allowSetAttr`; services always refuse).
 *
 * @example
 * await setAttr(config, "level", 3);
 */
export function setAttr(ref: unknown, name: string | number, value: unknown): Promise<void> {
  return Promise.resolve(
    issue(parentOrThrow(ref, "setAttr"), Op.Set, name, [value]),
  ) as Promise<void>;
}

/**
 * Deletes `name` on the remote object (needs the owner's `allowDelAttr`). Resolves to the result
 * of `delete`.
 *
 * @example
 * await delAttr(config, "level");
 */
export function delAttr(ref: unknown, name: string | number): Promise<boolean> {
  return Promise.resolve(
    issue(parentOrThrow(ref, "delAttr"), Op.Delete, name, []),
  ) as Promise<boolean>;
}

/**
 * True when the owner's policy exposes `name` on the remote object (the remote `in`).
 *
 * @example
 * if (await has(conn.root, "echo")) await conn.root.echo(1);
 */
export function has(ref: unknown, name: string | number): Promise<boolean> {
  return Promise.resolve(issue(parentOrThrow(ref, "has"), Op.Has, name, [])) as Promise<boolean>;
}

/**
 * The names the owner's policy exposes on the remote object.
 *
 * @example
 * await keys(conn.root); // ["echo", "add"]
 */
export function keys(ref: unknown): Promise<string[]> {
  return Promise.resolve(issue(parentOrThrow(ref, "keys"), Op.Keys, undefined, [])) as Promise<
    string[]
  >;
}

/**
 * A short description of the remote object, made by its owner (e.g. "<EchoService>").
 *
 * @example
 * console.log(await repr(conn.root));
 */
export function repr(ref: unknown): Promise<string> {
  return Promise.resolve(
    issue(parentOrThrow(ref, "repr"), Op.Repr, undefined, []),
  ) as Promise<string>;
}

/**
 * The remote object's class name and exposed members.
 *
 * @example
 * const { type, members } = await inspect(conn.root);
 */
export function inspect(ref: unknown): Promise<Inspection> {
  return Promise.resolve(
    issue(parentOrThrow(ref, "inspect"), Op.Inspect, undefined, []),
  ) as Promise<Inspection>;
}

/**
 * Copies the remote object by value: a plain object of what its owner's policy exposes (data
 * and accessors, not methods); arrays, Maps, Sets and plain objects are copied as they are.
 * Members that go by reference stay netrefs.
 *
 * @example
 * const snapshot = await obtain(remoteConfig); // { host: "…", port: 8080 }
 */
export function obtain<T = unknown>(ref: unknown): Promise<T> {
  const parent = parentOf(ref);
  if (parent === undefined) return Promise.resolve(ref as T); // already a local value
  return Promise.resolve(issue(parent, Op.Obtain, undefined, [])) as Promise<T>;
}

/**
 * Releases a netref now: its owner is told (batched, at the end of the tick) that this side
 * dropped every copy it received, and the netref becomes unusable (ReleasedNetrefError). For a
 * remote promise, releases its result once it settles, if that is a netref. Idempotent.
 * `using ref = …` (Symbol.dispose) does the same.
 *
 * @example
 * const file = await root.open("log.txt");
 * try { await file.write("hi"); } finally { release(file); }
 */
export function release(ref: unknown): void {
  if (typeof ref !== "function") throw new TypeError(`release() needs a netref, got ${typeof ref}`);
  const view = netrefViews.get(ref);
  if (view !== undefined) {
    view.core.session.releaseNetref(view.core);
    return;
  }
  const state = remotePromises.get(ref);
  if (state === undefined) throw new TypeError("release() needs a netref (a function was given)");
  settle(state).then(
    (value) => {
      const settled = typeof value === "function" ? netrefViews.get(value) : undefined;
      if (settled !== undefined) settled.core.session.releaseNetref(settled.core);
    },
    () => undefined,
  );
}

/**
 * A view of `ref` whose calls use `options`: a per-call `timeout` (ms) and/or an AbortSignal.
 * Timing out or aborting rejects the call locally and cancels the remote handler (its
 * `AbortSignal` fires). The view shares the netref's identity for release and counting.
 *
 * @example
 * const slow = withOptions(conn.root, { timeout: 500 });
 * await slow.compute(); // TimeoutError after 500 ms
 */
export function withOptions<T>(ref: T, options: CallOptions): T {
  const view = typeof ref === "function" ? netrefViews.get(ref) : undefined;
  if (view === undefined) throw new TypeError("withOptions() needs a netref");
  return createNetrefProxy(view.core, { ...view.options, ...options }) as T;
}
