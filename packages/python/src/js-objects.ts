/**
 * How JS objects look to a Python peer: the name_pack of their id_pack, the method list INSPECT
 * answers, and the Python dunders a JS object supports.
 *
 * - functions are `builtins.function`, arrays `builtins.list`, Maps `builtins.dict`, Sets
 *   `builtins.set`, plain objects and errors `builtins.object`: Python uses its prebuilt netref
 *   classes for those and sends no INSPECT;
 * - class instances (a Service included) are `js.<ClassName>`: Python INSPECTs them once and
 *   gets their exposed methods, so `root.add(1, 2)` works as it does on a Python service;
 * - iterators handed out by `__iter__` are `builtins.list_iterator` (`next()` and BUFFITER).
 *
 * Dunders (through CALLATTR and GETATTR): `__len__`, `__getitem__`, `__contains__`, `__iter__`
 * on arrays, Maps, Sets and plain objects; `__setitem__` and `__delitem__` on arrays, Maps and
 * plain objects when the access config allows set/delete; `__next__` on iterators; `__call__`
 * on functions; `__enter__`/`__exit__` on objects with `Symbol.dispose`/`Symbol.asyncDispose`.
 */
import { exposedNames, findMember, type AccessConfig } from "@rpyc/netref";
import { PythonError } from "./errors.ts";
import { StopIterationSignal } from "./python-exceptions.ts";

/** An iterator handed to Python (`iter(js_list)`): its `__next__` and BUFFITER read it. */
export class JsIterator {
  constructor(readonly source: Iterator<unknown>) {}
  next(): IteratorResult<unknown> {
    return this.source.next();
  }
}

/** The name_pack a JS object is sent with. */
export function namePackOf(obj: object): string {
  if (typeof obj === "function") return "builtins.function";
  if (Array.isArray(obj)) return "builtins.list";
  if (obj instanceof Map) return "builtins.dict";
  if (obj instanceof Set) return "builtins.set";
  if (obj instanceof JsIterator) return "builtins.list_iterator";
  if (obj instanceof Error) return "builtins.object";
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === null || proto === Object.prototype) return "builtins.object";
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor?.name === "string" && ctor.name !== "" ? ctor.name : "Object";
  return `js.${name}`;
}

function pyError(typeName: string, message: unknown): PythonError {
  return new PythonError({
    module: "builtins",
    typeName,
    args: [message],
    attributes: new Map(),
    traceback: "",
  });
}

function isPlain(obj: object): obj is Record<string, unknown> {
  const proto = Object.getPrototypeOf(obj) as object | null;
  return proto === null || proto === Object.prototype;
}

function index(arr: readonly unknown[], key: unknown): number {
  if (typeof key !== "number" || !Number.isInteger(key)) {
    throw pyError("TypeError", "list indices must be integers");
  }
  const i = key < 0 ? arr.length + key : key;
  if (i < 0 || i >= arr.length) throw pyError("IndexError", "list index out of range");
  return i;
}

function canDispose(obj: object): boolean {
  return Symbol.dispose in obj || Symbol.asyncDispose in obj;
}

/** The dunders `obj` supports (for INSPECT and DIR). */
export function dundersOf(obj: object): string[] {
  if (typeof obj === "function") return ["__call__"];
  if (obj instanceof JsIterator) return ["__iter__", "__next__"];
  const names: string[] = [];
  if (Array.isArray(obj) || obj instanceof Map || obj instanceof Set || isPlain(obj)) {
    names.push("__len__", "__getitem__", "__contains__", "__iter__");
  }
  if (canDispose(obj)) names.push("__enter__", "__exit__");
  return names;
}

/** The `(name, doc)` pairs INSPECT answers for `obj`. */
export function inspectMethods(
  obj: object,
  root: boolean,
  access: AccessConfig,
): [string, string][] {
  const names = new Set<string>([...dundersOf(obj), ...exposedNames(obj, access)]);
  if (root) names.add("get_service_name").add("get_service_aliases");
  return [...names].map((n) => [n, ""]);
}

/**
 * Runs dunder `name` on `obj` with `args`, or returns `NOT_A_DUNDER` when `obj` has no such
 * dunder (the caller then applies the access policy to the name).
 */
export async function callDunder(
  obj: object,
  name: string,
  args: readonly unknown[],
  access: AccessConfig,
): Promise<unknown> {
  switch (name) {
    case "__call__":
      if (typeof obj === "function") return Reflect.apply(obj, undefined, args);
      break;
    case "__len__":
      if (Array.isArray(obj)) return obj.length;
      if (obj instanceof Map || obj instanceof Set) return obj.size;
      if (isPlain(obj)) return Object.keys(obj).length;
      break;
    case "__getitem__":
      if (Array.isArray(obj)) return obj[index(obj, args[0])];
      if (obj instanceof Map) {
        if (!obj.has(args[0])) throw pyError("KeyError", args[0]);
        return obj.get(args[0]);
      }
      if (isPlain(obj)) {
        if (typeof args[0] !== "string" || !Object.hasOwn(obj, args[0]))
          throw pyError("KeyError", args[0]);
        findMember(obj, args[0], access);
        return obj[args[0]];
      }
      break;
    case "__setitem__":
    case "__delitem__":
      if (Array.isArray(obj) || obj instanceof Map || isPlain(obj)) {
        const allowed = name === "__setitem__" ? access.allowSetAttr : access.allowDelAttr;
        if (!allowed) {
          throw pyError(
            "TypeError",
            `${name} is refused: this side's access config does not allow ${name === "__setitem__" ? "allowSetAttr" : "allowDelAttr"}`,
          );
        }
        if (Array.isArray(obj)) {
          const i = index(obj, args[0]);
          if (name === "__setitem__") obj[i] = args[1];
          else obj.splice(i, 1);
        } else if (obj instanceof Map) {
          if (name === "__setitem__") obj.set(args[0], args[1]);
          else obj.delete(args[0]);
        } else if (typeof args[0] === "string") {
          if (name === "__setitem__") obj[args[0]] = args[1];
          else delete obj[args[0]];
        }
        return null;
      }
      break;
    case "__contains__":
      if (Array.isArray(obj)) return obj.includes(args[0]);
      if (obj instanceof Map || obj instanceof Set) return obj.has(args[0]);
      if (isPlain(obj)) return typeof args[0] === "string" && Object.hasOwn(obj, args[0]);
      break;
    case "__iter__":
      if (obj instanceof JsIterator) return obj;
      if (Array.isArray(obj)) return new JsIterator(obj.values());
      if (obj instanceof Map) return new JsIterator(obj.keys());
      if (obj instanceof Set) return new JsIterator(obj.values());
      if (isPlain(obj)) return new JsIterator(Object.keys(obj).values());
      break;
    case "__next__":
      if (obj instanceof JsIterator) {
        const r = obj.next();
        if (r.done === true) throw new StopIterationSignal();
        return r.value;
      }
      break;
    case "__enter__":
      if (canDispose(obj)) return obj;
      break;
    case "__exit__":
      if (canDispose(obj)) {
        const disposable = obj as Partial<AsyncDisposable & Disposable>;
        const asyncDispose = disposable[Symbol.asyncDispose];
        if (asyncDispose !== undefined) await asyncDispose.call(obj);
        else disposable[Symbol.dispose]?.call(obj);
        return false;
      }
      break;
  }
  return NOT_A_DUNDER;
}

/** `callDunder`'s answer when `obj` has no such dunder. */
export const NOT_A_DUNDER = Symbol("not a dunder");

/** Takes up to `count` items from a JS iterator (BUFFITER). */
export function takeBatch(obj: object, count: number): unknown[] {
  if (!(obj instanceof JsIterator)) {
    throw pyError("TypeError", "BUFFITER needs an iterator that this side handed out");
  }
  const out: unknown[] = [];
  while (out.length < count) {
    const r = obj.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}
