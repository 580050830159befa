/**
 * The 20 RPyC handlers, served over this side's JS objects for a Python peer. Each side enforces
 * its own access config (rpyc-ts's deny-by-default policy of @rpyc/netref) on what it receives:
 * GETATTR, CALLATTR, SETATTR and DELATTR go through it; CALL needs a function; PICKLE and
 * OLDSLICING are refused always, with a message that says why.
 */
import { checkWrite, describeTarget, findMember, type AccessConfig } from "@rpyc/netref";
import { Service } from "@rpyc/core";
import { PythonRefusedError } from "./errors.ts";
import type { ExportTable } from "./export-table.ts";
import { Handler, handlerName, isIdPack } from "./handlers.ts";
import {
  NOT_A_DUNDER,
  callDunder,
  dundersOf,
  inspectMethods,
  namePackOf,
  takeBatch,
} from "./js-objects.ts";
import { exposedNames } from "@rpyc/netref";
import { PY_NOT_IMPLEMENTED } from "./python-values.ts";

/** What the handlers need from their connection. */
export interface HandlerContext {
  readonly root: object;
  readonly serviceName: string;
  readonly serviceAliases: readonly string[];
  readonly exports: ExportTable;
  readonly access: AccessConfig;
  /** Most items one BUFFITER may ask for. */
  readonly maxBatch: number;
  /** Handles CLOSE: closes the connection without replying. */
  close(): void;
}

const EXPOSED_PREFIX = "exposed_";

function nameArg(name: unknown): string {
  if (typeof name === "string") return name;
  if (name instanceof Uint8Array) return new TextDecoder().decode(name);
  throw new TypeError(`an attribute name must be a str, not ${typeof name}`);
}

function objectArg(obj: unknown, what: string): object {
  if ((typeof obj === "object" && obj !== null) || typeof obj === "function") return obj;
  throw new TypeError(`${what} needs an object sent by reference, not a ${typeof obj}`);
}

function callArgs(args: unknown, kwargs: unknown): unknown[] {
  const positional = Array.isArray(args) ? [...(args as unknown[])] : [];
  if (Array.isArray(kwargs) && kwargs.length > 0) {
    // JS has no keyword arguments: they arrive as one trailing object.
    positional.push(Object.fromEntries(kwargs as [string, unknown][]));
  }
  return positional;
}

function isDunder(name: string): boolean {
  return name.length > 4 && name.startsWith("__") && name.endsWith("__");
}

/** The service-name methods every root answers (as RPyC's `Service` does). */
function rootMethod(ctx: HandlerContext, obj: object, name: string): (() => unknown) | undefined {
  if (obj !== ctx.root) return undefined;
  if (name === "get_service_name") return () => ctx.serviceName;
  if (name === "get_service_aliases") return () => [ctx.serviceName, ...ctx.serviceAliases];
  return undefined;
}

function resolve(ctx: HandlerContext, obj: object, raw: string): unknown {
  const name = raw.startsWith(EXPOSED_PREFIX) ? raw.slice(EXPOSED_PREFIX.length) : raw;
  const special = rootMethod(ctx, obj, name);
  if (special !== undefined) return special;
  if (name === "__doc__") return null;
  if (isDunder(name)) {
    if (!dundersOf(obj).includes(name)) {
      throw new PythonRefusedError(`${describeTarget(obj)} has no '${name}' for a Python peer`);
    }
    return (...args: unknown[]) => callDunder(obj, name, args, ctx.access);
  }
  const member = findMember(obj, name, ctx.access);
  const record = obj as Record<string, unknown>;
  if (member.kind === "method") return member.fn.bind(obj);
  if (member.kind === "accessor") return member.get?.call(obj);
  return record[name];
}

async function callAttr(
  ctx: HandlerContext,
  obj: object,
  raw: string,
  args: unknown[],
): Promise<unknown> {
  const name = raw.startsWith(EXPOSED_PREFIX) ? raw.slice(EXPOSED_PREFIX.length) : raw;
  if (isDunder(name)) {
    const result = await callDunder(obj, name, args, ctx.access);
    if (result !== NOT_A_DUNDER) return result;
    throw new PythonRefusedError(`${describeTarget(obj)} has no '${name}' for a Python peer`);
  }
  const fn = resolve(ctx, obj, name);
  if (typeof fn !== "function")
    throw new TypeError(`'${name}' of ${describeTarget(obj)} is not callable`);
  return Reflect.apply(fn, obj, args);
}

function refuseWrite(ctx: HandlerContext, obj: object): void {
  if (obj === ctx.root || obj instanceof Service) {
    throw new PythonRefusedError("a service's root refuses set and delete from the wire");
  }
}

/**
 * Runs one request from the Python peer (the args already unboxed) and returns the value to
 * box into the REPLY; throws to answer with an EXCEPTION.
 *
 * @example
 * await serveHandler(ctx, Handler.PING, ["abc"]); // "abc"
 */
export async function serveHandler(
  ctx: HandlerContext,
  handler: number,
  args: readonly unknown[],
): Promise<unknown> {
  const [a0, a1, a2, a3] = args;
  switch (handler) {
    case Handler.PING:
      return a0;
    case Handler.CLOSE:
      ctx.close();
      return null;
    case Handler.GETROOT:
      return ctx.root;
    case Handler.GETATTR:
      return resolve(ctx, objectArg(a0, "GETATTR"), nameArg(a1));
    case Handler.CALLATTR:
      return callAttr(ctx, objectArg(a0, "CALLATTR"), nameArg(a1), callArgs(a2, a3));
    case Handler.CALL: {
      const fn = objectArg(a0, "CALL");
      if (typeof fn !== "function") throw new TypeError(`a ${describeTarget(fn)} is not callable`);
      return Reflect.apply(fn, undefined, callArgs(a1, a2));
    }
    case Handler.SETATTR: {
      const obj = objectArg(a0, "SETATTR");
      refuseWrite(ctx, obj);
      const key = checkWrite(obj, nameArg(a1), "set", ctx.access);
      (obj as Record<string, unknown>)[key] = a2;
      return null;
    }
    case Handler.DELATTR: {
      const obj = objectArg(a0, "DELATTR");
      refuseWrite(ctx, obj);
      const key = checkWrite(obj, nameArg(a1), "delete", ctx.access);
      delete (obj as Record<string, unknown>)[key];
      return null;
    }
    case Handler.REPR:
    case Handler.STR: {
      const obj = objectArg(a0, "REPR");
      if (handler === Handler.STR && obj instanceof Error) return `${obj.name}: ${obj.message}`;
      return `<JS ${describeTarget(obj)} (${namePackOf(obj)})>`;
    }
    case Handler.CMP: {
      const op = typeof a2 === "string" ? a2 : "__cmp__";
      if (op === "__eq__") return a0 === a1;
      if (op === "__ne__") return a0 !== a1;
      return PY_NOT_IMPLEMENTED;
    }
    case Handler.HASH: {
      const idPack = ctx.exports.idPackOf(objectArg(a0, "HASH"));
      return idPack === undefined ? 0 : idPack[2];
    }
    case Handler.DIR: {
      const obj = objectArg(a0, "DIR");
      return [...new Set([...dundersOf(obj), ...exposedNames(obj, ctx.access)])];
    }
    case Handler.PICKLE:
      throw new PythonRefusedError(
        "pickling is refused by rpyc-ts: a JS object has no pickle form, and unpickling peer bytes runs code",
      );
    case Handler.DEL: {
      const idPack = ctx.exports.idPackOf(objectArg(a0, "DEL"));
      const count = typeof a1 === "number" && a1 > 0 ? a1 : 1;
      if (idPack !== undefined) ctx.exports.release(idPack, count);
      return null;
    }
    case Handler.INSPECT: {
      if (!isIdPack(a0)) throw new TypeError("INSPECT needs an id_pack");
      const obj = ctx.exports.get(a0);
      return inspectMethods(obj, obj === ctx.root, ctx.access);
    }
    case Handler.BUFFITER: {
      const count = typeof a1 === "number" ? Math.max(0, Math.min(a1, ctx.maxBatch)) : 0;
      return takeBatch(objectArg(a0, "BUFFITER"), count);
    }
    case Handler.CTXEXIT: {
      const result = await callDunder(objectArg(a0, "CTXEXIT"), "__exit__", [], ctx.access);
      if (result === NOT_A_DUNDER) throw new TypeError("this object is not a context manager");
      return result;
    }
    case Handler.INSTANCECHECK:
      return false;
    case Handler.OLDSLICING:
      throw new PythonRefusedError("OLDSLICING (Python 2 slicing) is refused by rpyc-ts");
    default:
      throw new PythonRefusedError(`unknown ${handlerName(handler)} (RPyC has handlers 1 to 20)`);
  }
}
