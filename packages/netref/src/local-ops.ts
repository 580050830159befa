/**
 * Applying a peer's request to one of my objects, under my access policy. Called by the
 * connection for each incoming request once its target and arguments are unboxed. May return a
 * promise (async methods); the connection awaits it.
 *
 * A target that is itself a netref of another connection (rpyc over rpyc) forwards the
 * operation to its owner, whose policy then decides; the always-blocked names are refused here
 * too.
 */
import { Op } from "@rpyc/protocol";
import {
  type AccessConfig,
  alwaysBlockedNames,
  checkWrite,
  describeTarget,
  exposedNames,
  findMember,
  isExposed,
  isRecord,
  operand,
} from "./access-policy.ts";
import { AccessDeniedError } from "./errors.ts";
import { EXPOSURE_BOUNDARY, Restricted } from "./markers.ts";
import { isNetref, parentOf } from "./netref-state.ts";
import { type IterBatch, ITER_BATCH } from "./remote-iterator.ts";
import { issue } from "./remote-promise.ts";

/**
 * What `Inspect` returns: the class name and the exposed member names.
 *
 * @example
 * const { type, members } = await inspect(ref);
 */
export interface Inspection {
  readonly type: string;
  readonly members: string[];
}

const boundMethods = new WeakMap<object, Map<string, Function>>();

/** Returns `fn` bound to `target`, the same function for the same pair (stable export id). */
function bound(target: object, key: string, fn: Function): Function {
  let methods = boundMethods.get(target);
  if (methods === undefined) boundMethods.set(target, (methods = new Map()));
  let result = methods.get(key);
  if (result === undefined) methods.set(key, (result = fn.bind(target) as Function));
  return result;
}

function read(target: object, name: string | number, config: AccessConfig): unknown {
  const member = findMember(target, name, config);
  const obj = operand(target);
  const key = String(name);
  switch (member.kind) {
    case "method":
      return bound(obj, key, member.fn);
    case "accessor":
      return member.get === undefined ? undefined : member.get.call(obj);
    case "data":
      return (obj as Record<string, unknown>)[key];
  }
}

function callMember(
  target: object,
  name: string | number,
  args: unknown[],
  config: AccessConfig,
): unknown {
  const member = findMember(target, name, config);
  const obj = operand(target);
  let fn: unknown;
  if (member.kind === "method") fn = member.fn;
  else if (member.kind === "accessor") fn = member.get?.call(obj);
  else fn = (obj as Record<string, unknown>)[String(name)];
  if (typeof fn !== "function") {
    throw new TypeError(
      `attribute '${String(name)}' of ${describeTarget(target)} is not a function`,
    );
  }
  return Reflect.apply(fn, obj, args);
}

/**
 * Performs `op` on the local `target` for the peer. Throws `AccessDeniedError` for anything the
 * policy does not expose; the connection turns throws into Error replies.
 *
 * @example
 * performLocal(Op.CallAttr, service, "add", [1, 2], DEFAULT_ACCESS_CONFIG); // 3
 */
export function performLocal(
  op: Op,
  target: unknown,
  name: string | number | undefined,
  args: unknown[],
  config: AccessConfig,
): unknown {
  // The held result itself (core's IncomingRequests resolved the Pending target).
  if (op === Op.Take) return target;
  if (isNetref(target)) {
    if (name !== undefined && alwaysBlockedNames().has(String(name))) findMember({}, name, config);
    // rpyc over rpyc: the owner's policy decides; its remote promise settles the reply.
    return op === Op.Iterate
      ? IteratorHandle.open(target)
      : issue(parentOf(target)!, op, name, args);
  }
  switch (op) {
    case Op.Get:
      return read(asObject(target, name), requireName(name), config);
    case Op.CallAttr:
      return callMember(asObject(target, name), requireName(name), args, config);
    case Op.Call:
      if (typeof target !== "function") {
        throw new AccessDeniedError(
          `${describeTarget(target)} is not callable; call one of its methods instead`,
        );
      }
      return Reflect.apply(target, undefined, args);
    case Op.Construct: {
      if (name === undefined) {
        throw new AccessDeniedError(
          `${describeTarget(target)} cannot be constructed directly: a function received by reference can only be called (expose the class as an attribute and use new ref.Name())`,
        );
      }
      const ctor = read(asObject(target, name), name, config);
      if (typeof ctor !== "function") {
        throw new TypeError(
          `attribute '${String(name)}' of ${describeTarget(target)} is not a class`,
        );
      }
      return Reflect.construct(ctor, args);
    }
    case Op.Set: {
      const key = checkWrite(target, requireName(name), "set", config);
      (operand(target as object) as Record<string, unknown>)[key] = args[0];
      return undefined;
    }
    case Op.Delete: {
      const key = checkWrite(target, requireName(name), "delete", config);
      return delete (operand(target as object) as Record<string, unknown>)[key];
    }
    case Op.Has:
      return isExposed(target, requireName(name), config);
    case Op.Keys:
      return exposedNames(target, config);
    case Op.Inspect:
      return {
        type: describeTarget(target),
        members: exposedNames(target, config),
      } satisfies Inspection;
    case Op.Repr:
      return `<${describeTarget(target)}>`;
    case Op.Iterate:
      // A restricted view exposes only its names (a symbol is never one), a function a call.
      if (target instanceof Restricted || typeof target === "function")
        throw new AccessDeniedError(`iteration is not exposed by ${describeTarget(target)}`);
      return IteratorHandle.open(target);
    case Op.IterNext:
      return asIterator(target).nextBatch(args[0]);
    case Op.IterReturn:
      return asIterator(target).close();
    case Op.Obtain:
      return snapshot(target, config);
    default:
      throw new AccessDeniedError(`unknown operation ${String(op)}`);
  }
}

function requireName(name: string | number | undefined): string | number {
  if (name === undefined) throw new AccessDeniedError("this operation needs an attribute name");
  return name;
}

function asObject(target: unknown, name: string | number | undefined): object {
  if (typeof target === "function" || (target !== null && typeof target === "object"))
    return target;
  throw new AccessDeniedError(
    `attribute '${String(name)}' cannot be read from a ${target === null ? "null" : typeof target}`,
    String(name),
  );
}

function asIterator(target: unknown): IteratorHandle {
  if (target instanceof IteratorHandle) return target;
  throw new AccessDeniedError(`${describeTarget(target)} is not an iterator opened with Iterate`);
}

/** A copy by value of what the policy exposes of `target` (for `obtain(ref)`). */
function snapshot(target: unknown, config: AccessConfig): unknown {
  if (typeof target === "function") {
    throw new AccessDeniedError(
      `${describeTarget(target)} cannot be obtained by value: a function received by reference can only be called`,
    );
  }
  if (target === null || typeof target !== "object") return target;
  if (Array.isArray(target)) return [...(target as unknown[])];
  if (target instanceof Map) return new Map(target);
  if (target instanceof Set) return new Set(target);
  if (isRecord(target) && !(target instanceof Restricted)) return { ...target };
  const copy: Record<string, unknown> = {};
  for (const key of exposedNames(target, config)) {
    const member = findMember(target, key, config);
    if (member.kind !== "method") copy[key] = read(target, key, config);
  }
  return copy;
}

/**
 * A local iterator opened by `Iterate`, exported by reference. It exposes nothing by name (its
 * class is an exposure boundary); the peer drives it only with IterNext and IterReturn.
 *
 * @example
 * const handle = IteratorHandle.open([1, 2, 3]);
 * await handle.nextBatch(2); // { values: [1, 2], done: false }
 */
export class IteratorHandle {
  /** An error the iterator threw after the values of the last batch (see `nextBatch`). */
  private failure: { error: unknown } | undefined;

  private constructor(
    private readonly iterator: Iterator<unknown> | AsyncIterator<unknown>,
    private readonly isAsync: boolean,
  ) {}

  get [EXPOSURE_BOUNDARY](): readonly string[] {
    return [];
  }

  static open(target: unknown): IteratorHandle {
    const obj = target;
    if (obj !== null && (typeof obj === "object" || typeof obj === "function")) {
      const asyncFactory = (obj as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator];
      if (typeof asyncFactory === "function")
        return new IteratorHandle(asyncFactory.call(obj) as AsyncIterator<unknown>, true);
      const syncFactory = (obj as { [Symbol.iterator]?: unknown })[Symbol.iterator];
      if (typeof syncFactory === "function")
        return new IteratorHandle(syncFactory.call(obj) as Iterator<unknown>, false);
    }
    throw new TypeError(`${describeTarget(target)} is not iterable`);
  }

  /**
   * Up to `maxCount` values (clamped to 1..ITER_BATCH.max). If the iterator throws after some
   * values of the batch, those values are returned first and the error comes with the next
   * batch, so the peer sees exactly the local order of values and error.
   */
  async nextBatch(maxCount: unknown): Promise<IterBatch> {
    if (this.failure !== undefined) {
      const { error } = this.failure;
      this.failure = undefined;
      throw error;
    }
    const count =
      typeof maxCount === "number" && Number.isFinite(maxCount)
        ? Math.max(1, Math.min(ITER_BATCH.max, Math.floor(maxCount)))
        : ITER_BATCH.first;
    const values: unknown[] = [];
    for (let i = 0; i < count; i++) {
      let step: IteratorResult<unknown>;
      try {
        step = this.isAsync
          ? await this.iterator.next()
          : (this.iterator.next() as IteratorResult<unknown>);
      } catch (error) {
        if (values.length === 0) throw error;
        this.failure = { error };
        return { values, done: false };
      }
      if (step.done === true) return { values, done: true };
      values.push(step.value);
    }
    return { values, done: false };
  }

  async close(): Promise<undefined> {
    await this.iterator.return?.();
    return undefined;
  }
}
