/**
 * Python's builtins for netrefs, as functions: `len(ref)`, `item(ref, key)`, `repr(ref)`, …
 * Each is one request (CALLATTR of the dunder, or the dedicated handler), so the Python side's
 * access checks apply as they do for a Python client. Iteration uses BUFFITER: one round trip
 * per batch, the batch growing from 10 to 1000 items, as RPyC's `buffiter` does.
 */
import { Handler } from "./handlers.ts";
import { PyFrozenSet } from "./python-values.ts";
import { type PyPending, drop, netrefMeta, resolveHeld, setIterate } from "./python-netref.ts";
import { BrineError, RPYC_ERR_BRINE_LIMIT } from "./errors.ts";

type Ref = unknown;

async function on(ref: Ref, handler: number, args: unknown[], what: string): Promise<any> {
  const held = await resolveHeld(ref);
  try {
    const meta = netrefMeta(held.value);
    if (meta === undefined) throw new TypeError(`${what} needs a Python netref`);
    return await meta.state.host.request(handler, [held.value, ...args], meta.options);
  } finally {
    drop(held);
  }
}

function callattr(ref: Ref, name: string, args: unknown[]): Promise<any> {
  return on(ref, Handler.CALLATTR, [name, args, []], name);
}

/**
 * Python's `len(x)`.
 *
 * @example
 * await len(await conn.root.getlist()); // 3
 */
export function len(ref: Ref): Promise<number> {
  return callattr(ref, "__len__", []) as Promise<number>;
}

/**
 * Python's `x[key]`.
 *
 * @example
 * await item(dict, "a");
 */
export function item(ref: Ref, key: unknown): Promise<any> {
  return callattr(ref, "__getitem__", [key]);
}

/**
 * Python's `x[key] = value`.
 *
 * @example
 * await setItem(dict, "a", 1);
 */
export async function setItem(ref: Ref, key: unknown, value: unknown): Promise<void> {
  await callattr(ref, "__setitem__", [key, value]);
}

/**
 * Python's `key in x`.
 *
 * @example
 * await contains(lst, 2); // true
 */
export function contains(ref: Ref, key: unknown): Promise<boolean> {
  return callattr(ref, "__contains__", [key]) as Promise<boolean>;
}

/**
 * Python's `repr(x)` (HANDLE_REPR).
 *
 * @example
 * await repr(lst); // "[1, 2, 3]"
 */
export function repr(ref: Ref): Promise<string> {
  return on(ref, Handler.REPR, [], "repr") as Promise<string>;
}

/**
 * Python's `str(x)` (HANDLE_STR).
 *
 * @example
 * await str(obj);
 */
export function str(ref: Ref): Promise<string> {
  return on(ref, Handler.STR, [], "str") as Promise<string>;
}

/**
 * Python's `dir(x)` (HANDLE_DIR): every name, private ones too.
 *
 * @example
 * (await dir(obj)).includes("__len__");
 */
export function dir(ref: Ref): Promise<readonly string[]> {
  return on(ref, Handler.DIR, [], "dir") as Promise<readonly string[]>;
}

/**
 * Python's `hash(x)` (HANDLE_HASH).
 *
 * @example
 * await hash(obj);
 */
export function hash(ref: Ref): Promise<number | bigint> {
  return on(ref, Handler.HASH, [], "hash") as Promise<number | bigint>;
}

/**
 * Python's `setattr(x, name, value)`; the Python side must allow it (`allow_setattr`).
 *
 * @example
 * await setAttr(obj, "x", 1);
 */
export async function setAttr(ref: Ref, name: string, value: unknown): Promise<void> {
  await on(ref, Handler.SETATTR, [name, value], "setAttr");
}

/**
 * Python's `delattr(x, name)`; the Python side must allow it (`allow_delattr`).
 *
 * @example
 * await delAttr(obj, "x");
 */
export async function delAttr(ref: Ref, name: string): Promise<void> {
  await on(ref, Handler.DELATTR, [name], "delAttr");
}

/**
 * Gives the Python object back now (one DEL with the count received). Later use rejects.
 * Netrefs are also given back when collected; call this for prompt release.
 *
 * @example
 * const lst = await conn.root.getlist(); await len(lst); release(lst);
 */
export function release(ref: unknown): void {
  const meta = netrefMeta(ref);
  if (meta === undefined) throw new TypeError("release needs a Python netref");
  meta.state.host.releaseState(meta.state);
}

const FIRST_BATCH = 10;
const MAX_BATCH = 1000;

/**
 * Iterates a Python iterable: `iter(x)` once, then BUFFITER batches. Also what
 * `for await (const v of ref)` does.
 *
 * @example
 * for await (const v of iterate(lst)) console.log(v);
 */
export async function* iterate(ref: Ref): AsyncGenerator<any> {
  const iterator = (await callattr(ref, "__iter__", [])) as unknown;
  const meta = netrefMeta(iterator);
  if (meta === undefined) throw new TypeError("__iter__ did not return an iterator netref");
  try {
    let batch = FIRST_BATCH;
    for (;;) {
      const items = (await meta.state.host.request(
        Handler.BUFFITER,
        [iterator, batch],
        meta.options,
      )) as readonly unknown[];
      if (items.length === 0) return;
      yield* items;
      batch = Math.min(batch * 2, MAX_BATCH);
    }
  } finally {
    release(iterator);
  }
}
setIterate(iterate);

/**
 * Python's `with x as v: …`: `__enter__`, then `fn(v)`, then `__exit__` (CTXEXIT). When `fn`
 * throws, Python's `__exit__` sees an exception (a TypeError carrying the JS message, since a
 * JS error is not a Python exception) and the JS error is rethrown.
 *
 * @example
 * await withContext(conn.root.open_session(), async (s) => s.work());
 */
export async function withContext<T>(ref: Ref, fn: (value: any) => T | Promise<T>): Promise<T> {
  const held = await resolveHeld(ref);
  const target = held.value;
  try {
    const entered: unknown = await callattr(target, "__enter__", []);
    let result: T;
    try {
      result = await fn(entered);
    } catch (err) {
      await on(target, Handler.CTXEXIT, [err instanceof Error ? err.message : String(err)], "with");
      throw err;
    } finally {
      // __enter__ usually returns the object itself: the same netref, one more count.
      if (netrefMeta(entered) !== undefined) drop({ value: entered, owned: true });
    }
    await on(target, Handler.CTXEXIT, [null], "with");
    return result;
  } finally {
    drop(held);
  }
}

/** Limits of `obtain`. */
const MAX_OBTAIN_ITEMS = 100_000;
const MAX_OBTAIN_DEPTH = 32;

/**
 * Copies a Python value to JS by value, as far as brine can carry it: tuples, lists and sets
 * become arrays (a frozenset a `PyFrozenSet`), dicts become `Map`s, brine values stay as they
 * are; any other object is refused. Netrefs met inside are released. Bounded: 100,000 items,
 * depth 32.
 *
 * @example
 * await obtain(conn.root.getdict()); // Map { "a" => 1, "b" => [1, 2] }
 */
export async function obtain(ref: Ref): Promise<any> {
  const budget = { items: 0 };
  // A netref stays the caller's; one that only a pending value produced is released here.
  const held = await resolveHeld(ref);
  return copy(held.value, 0, budget, held.owned);
}

async function copy(
  value: unknown,
  depth: number,
  budget: { items: number },
  owned: boolean,
): Promise<unknown> {
  if (depth > MAX_OBTAIN_DEPTH) {
    throw new BrineError(RPYC_ERR_BRINE_LIMIT, `obtain: nested deeper than ${MAX_OBTAIN_DEPTH}`);
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((v) => copy(v, depth + 1, budget, true)));
  }
  const meta = netrefMeta(value);
  if (meta === undefined) return value;
  try {
    const kind = meta.state.idPack[0];
    const items: unknown[] = [];
    const take = async (): Promise<void> => {
      for await (const v of iterate(value)) {
        if (++budget.items > MAX_OBTAIN_ITEMS) {
          throw new BrineError(RPYC_ERR_BRINE_LIMIT, `obtain: more than ${MAX_OBTAIN_ITEMS} items`);
        }
        items.push(v);
      }
    };
    switch (kind) {
      case "builtins.list":
      case "builtins.tuple":
      case "builtins.set":
      case "builtins.frozenset": {
        await take();
        const copied = await Promise.all(items.map((v) => copy(v, depth + 1, budget, true)));
        return kind === "builtins.frozenset" ? new PyFrozenSet(copied) : copied;
      }
      case "builtins.dict": {
        await take();
        const out = new Map<unknown, unknown>();
        for (const key of items) {
          const v: unknown = await item(value, key);
          out.set(await copy(key, depth + 1, budget, true), await copy(v, depth + 1, budget, true));
        }
        return out;
      }
      default:
        throw new TypeError(
          `obtain cannot copy a ${kind} by value (only tuples, lists, sets, dicts and brine values)`,
        );
    }
  } finally {
    if (owned) release(value);
  }
}

export type { PyPending };
