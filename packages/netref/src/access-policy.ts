/**
 * The access policy (ARCHITECTURE §6): which members of a local object the peer may reach. Each
 * side enforces its own policy, against its own config, on the requests it receives.
 *
 * What is exposed, by kind of target:
 * - a class instance (Services included): methods and accessors declared in class bodies on its
 *   prototype chain, up to `Object.prototype` or a prototype owning `EXPOSURE_BOUNDARY`; own data
 *   fields only with `allowPublicAttrs`;
 * - a plain object or array sent `byRef`, or a pipelined by-value result: its own properties;
 * - a `Restricted` view: exactly its names;
 * - a function: nothing but a call.
 * Names starting with "_" need `allowAllAttrs`. `ALWAYS_BLOCKED` names and symbols are refused
 * whatever the config. Set/delete need `allowSetAttr`/`allowDelAttr`; a Service refuses both.
 */
import { AccessDeniedError } from "./errors.ts";
import { EXPOSURE_BOUNDARY, Restricted } from "./markers.ts";

/**
 * The policy knobs (RPyC's names, camel-cased). Every one defaults to false.
 *
 * @example
 * const config: AccessConfig = { ...DEFAULT_ACCESS_CONFIG, allowPublicAttrs: true };
 */
export interface AccessConfig {
  /** Expose own data fields of class instances (not "_"-prefixed). Default false. */
  readonly allowPublicAttrs: boolean;
  /** Also expose "_"-prefixed names (never the always-blocked ones). Default false. */
  readonly allowAllAttrs: boolean;
  /** Let the peer set exposed attributes (never on a Service). Default false. */
  readonly allowSetAttr: boolean;
  /** Let the peer delete exposed attributes (never on a Service). Default false. */
  readonly allowDelAttr: boolean;
}

/**
 * The safe defaults: nothing beyond class-body methods and accessors.
 *
 * @example
 * findMember(obj, "name", DEFAULT_ACCESS_CONFIG);
 */
export const DEFAULT_ACCESS_CONFIG: AccessConfig = Object.freeze({
  allowPublicAttrs: false,
  allowAllAttrs: false,
  allowSetAttr: false,
  allowDelAttr: false,
});

const EXPLICITLY_BLOCKED = [
  "constructor",
  "__proto__",
  "prototype",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "caller",
  "callee",
  "arguments",
];

let alwaysBlocked: ReadonlySet<string> | undefined;

/**
 * Names the peer can never reach, whatever the config: the explicit list plus every name on
 * `Object.prototype` and `Function.prototype` (except `name` and `length`, which are plain data
 * when an object declares them itself). Computed on first use (no work at import time).
 *
 * @example
 * alwaysBlockedNames().has("constructor"); // true
 */
export function alwaysBlockedNames(): ReadonlySet<string> {
  if (alwaysBlocked === undefined) {
    const names = new Set(EXPLICITLY_BLOCKED);
    for (const proto of [Object.prototype, Function.prototype]) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        if (name !== "name" && name !== "length") names.add(name);
      }
    }
    alwaysBlocked = names;
  }
  return alwaysBlocked;
}

/**
 * The name a denial message uses for `target`: its class name, or a description.
 *
 * @example
 * describeTarget(new ChatService()); // "ChatService"
 */
export function describeTarget(target: unknown): string {
  if (typeof target === "function") return `function ${target.name || "(anonymous)"}`;
  if (target === null || typeof target !== "object") return typeof target;
  if (target instanceof Restricted) return `restricted ${describeTarget(target.target)}`;
  const proto: unknown = Object.getPrototypeOf(target);
  if (proto === null) return "object";
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as unknown;
  const name = typeof ctor === "function" ? ctor.name : "";
  return name === "" ? "object" : name;
}

/** Where a member was found, so the caller can read, call or write it. */
export type Member =
  | { readonly kind: "method"; readonly fn: Function }
  | { readonly kind: "accessor"; readonly get: (() => unknown) | undefined }
  | { readonly kind: "data" };

/** True for plain objects (prototype `Object.prototype` or null) and arrays. */
export function isRecord(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function keyOf(name: string | number): string {
  return typeof name === "number" ? String(name) : name;
}

function deny(target: unknown, name: string, why: string): never {
  throw new AccessDeniedError(`attribute '${name}' ${why}`, name);
}

/** Refuses names no config can open. Returns the key as a string. */
function checkName(target: unknown, name: string | number, config: AccessConfig): string {
  if (typeof name !== "string" && typeof name !== "number") {
    throw new AccessDeniedError("only string and number keys can be reached from the wire");
  }
  const key = keyOf(name);
  if (alwaysBlockedNames().has(key)) {
    deny(
      target,
      key,
      `is never exposed by ${describeTarget(target)} (blocked for security, whatever the config)`,
    );
  }
  if (key.startsWith("_") && !config.allowAllAttrs) {
    deny(
      target,
      key,
      `of ${describeTarget(target)} is private (names starting with '_' need allowAllAttrs)`,
    );
  }
  return key;
}

/** Finds `key` on the class chain starting at `proto` (uncached). */
function walkChain(start: object | null, key: string): Member | undefined {
  let proto = start;
  while (proto !== null && proto !== Object.prototype && proto !== Function.prototype) {
    if (Object.hasOwn(proto, EXPOSURE_BOUNDARY)) return undefined;
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    if (desc !== undefined) {
      if (desc.get !== undefined || desc.set !== undefined)
        return { kind: "accessor", get: desc.get };
      if (typeof desc.value === "function") return { kind: "method", fn: desc.value as Function };
      return undefined; // data on a prototype: not a class-body member
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return undefined;
}

/** What the policy learnt about one prototype chain (cached: this runs on every call). */
interface ChainInfo {
  /** Names hidden by the chain's boundary, or undefined when it has none. */
  readonly hidden: readonly string[] | undefined;
  readonly members: Map<string, Member>;
  /**
   * Names that passed every check of `findMember` on an instance of this chain and whose answer
   * does not depend on the config (class members whose name has no "_" prefix): the next
   * lookup of the same name skips the checks. Filled only by the class-instance path, so the
   * prototypes of records, arrays and `Restricted` views never have entries.
   */
  readonly exposed: Map<string, Member>;
}

// NOTE: keyed by the instance's prototype; class bodies are assumed not to change after their
// first use from the wire (a method added later stays hidden; a removed one stays callable).
const chains = new WeakMap<object, ChainInfo>();
const MAX_CACHED_MEMBERS = 1024;

function chainOf(target: object): ChainInfo | undefined {
  const proto = Object.getPrototypeOf(target) as object | null;
  if (proto === null) return undefined;
  let info = chains.get(proto);
  if (info === undefined) {
    let hidden: readonly string[] | undefined;
    for (
      let p: object | null = proto;
      p !== null && p !== Object.prototype;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      if (Object.hasOwn(p, EXPOSURE_BOUNDARY)) {
        const value = (p as Record<symbol, unknown>)[EXPOSURE_BOUNDARY];
        hidden = Array.isArray(value) ? (value as string[]) : [];
        break;
      }
    }
    info = { hidden, members: new Map(), exposed: new Map() };
    chains.set(proto, info);
  }
  return info;
}

/** Finds `key` on the class chain of an instance, stopping at a boundary or Object.prototype. */
function findOnChain(target: object, key: string): Member | undefined {
  const info = chainOf(target);
  if (info === undefined) return undefined;
  const cached = info.members.get(key);
  if (cached !== undefined) return cached;
  const member = walkChain(Object.getPrototypeOf(target) as object | null, key);
  // Only hits are cached, and only so many: a peer asking for endless made-up names must not
  // grow this cache.
  if (member !== undefined && info.members.size < MAX_CACHED_MEMBERS) info.members.set(key, member);
  return member;
}

/** Names hidden by the boundary of `target`'s chain (e.g. a Service's lifecycle hooks). */
function boundaryHidden(target: object): readonly string[] | undefined {
  return chainOf(target)?.hidden;
}

/**
 * Resolves `name` on `target` for reading or calling, or throws `AccessDeniedError` naming the
 * attribute, the class and the knob that would expose it.
 *
 * @example
 * findMember(new Account(), "deposit", DEFAULT_ACCESS_CONFIG).kind; // "method"
 */
export function findMember(target: unknown, name: string | number, config: AccessConfig): Member {
  if (typeof target === "object" && target !== null && typeof name === "string") {
    const proto = Object.getPrototypeOf(target) as object | null;
    const known = proto === null ? undefined : chains.get(proto)?.exposed.get(name);
    if (known !== undefined) return known;
  }
  if (typeof target === "function") {
    throw new AccessDeniedError(
      `attribute '${String(name)}' cannot be read from ${describeTarget(target)}: a function received by reference can only be called`,
      String(name),
    );
  }
  if (target === null || typeof target !== "object") {
    throw new AccessDeniedError(
      `attribute '${String(name)}' cannot be read from a ${typeof target}`,
      String(name),
    );
  }
  const key = checkName(target, name, config);
  if (target instanceof Restricted) {
    if (!target.names.has(key))
      deny(
        target,
        key,
        `is not exposed by ${describeTarget(target)} (add it to the restricted() names)`,
      );
    return memberOfAny(target.target, key);
  }
  if (isRecord(target)) {
    if (!Object.hasOwn(target, key))
      deny(target, key, `is not an own property of ${describeTarget(target)}`);
    const desc = Object.getOwnPropertyDescriptor(target, key)!;
    if (desc.get !== undefined || desc.set !== undefined)
      return { kind: "accessor", get: desc.get };
    return typeof desc.value === "function"
      ? { kind: "method", fn: desc.value as Function }
      : { kind: "data" };
  }
  if (boundaryHidden(target)?.includes(key)) {
    deny(
      target,
      key,
      `is not exposed by ${describeTarget(target)} (lifecycle members are never exposed)`,
    );
  }
  const member = findOnChain(target, key);
  if (member !== undefined) {
    const exposed = chainOf(target)!.exposed;
    if (!key.startsWith("_") && exposed.size < MAX_CACHED_MEMBERS) exposed.set(key, member);
    return member;
  }
  if (Object.hasOwn(target, key)) {
    if (config.allowPublicAttrs) {
      const desc = Object.getOwnPropertyDescriptor(target, key)!;
      if (desc.get !== undefined || desc.set !== undefined)
        return { kind: "accessor", get: desc.get };
      return typeof desc.value === "function"
        ? { kind: "method", fn: desc.value as Function }
        : { kind: "data" };
    }
    deny(
      target,
      key,
      `is not exposed by ${describeTarget(target)} (expose it, or set allowPublicAttrs)`,
    );
  }
  return deny(
    target,
    key,
    `is not exposed by ${describeTarget(target)} (it is not a method or accessor of its class)`,
  );
}

/** Resolution inside a `Restricted` view: any own or inherited member below Object.prototype. */
function memberOfAny(target: object, key: string): Member {
  let obj: object | null = target;
  while (obj !== null && obj !== Object.prototype && obj !== Function.prototype) {
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    if (desc !== undefined) {
      if (desc.get !== undefined || desc.set !== undefined)
        return { kind: "accessor", get: desc.get };
      return typeof desc.value === "function"
        ? { kind: "method", fn: desc.value as Function }
        : { kind: "data" };
    }
    obj = Object.getPrototypeOf(obj) as object | null;
  }
  return { kind: "data" };
}

/** The object operations on `target` apply to (a `Restricted` view's wrapped object). */
export function operand(target: object): object {
  return target instanceof Restricted ? target.target : target;
}

/**
 * Checks that the peer may set (`write`) or delete (`delete`) `name` on `target`.
 *
 * @example
 * checkWrite(byRef({ a: 1 }), "a", "set", { ...DEFAULT_ACCESS_CONFIG, allowSetAttr: true }); // "a"
 */
export function checkWrite(
  target: unknown,
  name: string | number,
  mode: "set" | "delete",
  config: AccessConfig,
): string {
  if (typeof target === "function") {
    throw new AccessDeniedError(
      `cannot ${mode} attribute '${String(name)}' on ${describeTarget(target)}: a function received by reference can only be called`,
      String(name),
    );
  }
  if (target === null || typeof target !== "object") {
    throw new AccessDeniedError(
      `cannot ${mode} attribute '${String(name)}' on a ${typeof target}`,
      String(name),
    );
  }
  const key = checkName(target, name, config);
  if (target instanceof Restricted) {
    if (mode === "set" && target.writable.has(key)) return key;
    deny(
      target,
      key,
      `cannot be ${mode === "set" ? "set" : "deleted"} on ${describeTarget(target)} (list it in restricted()'s writable names)`,
    );
  }
  if (boundaryHidden(target) !== undefined) {
    deny(
      target,
      key,
      `cannot be ${mode === "set" ? "set" : "deleted"}: ${describeTarget(target)} is a service, and services refuse set and delete from the wire (add a method instead)`,
    );
  }
  const allowed = mode === "set" ? config.allowSetAttr : config.allowDelAttr;
  if (!allowed) {
    deny(
      target,
      key,
      `cannot be ${mode === "set" ? "set" : "deleted"} on ${describeTarget(target)} (set ${mode === "set" ? "allowSetAttr" : "allowDelAttr"} to allow it)`,
    );
  }
  if (!isRecord(target)) {
    // Writing is allowed where reading is: a class-body accessor, or an own field.
    if (
      findOnChain(target, key) === undefined &&
      !(config.allowPublicAttrs && (Object.hasOwn(target, key) || mode === "set"))
    ) {
      deny(
        target,
        key,
        `is not exposed by ${describeTarget(target)} (expose it, or set allowPublicAttrs)`,
      );
    }
  }
  return key;
}

/**
 * The names the peer may reach on `target` (for `keys(ref)` and `Inspect`).
 *
 * @example
 * exposedNames(new Account(), DEFAULT_ACCESS_CONFIG); // ["deposit", "owner"]
 */
export function exposedNames(target: unknown, config: AccessConfig): string[] {
  if (target === null || typeof target !== "object") return [];
  const visible = (key: string) =>
    !alwaysBlockedNames().has(key) && (config.allowAllAttrs || !key.startsWith("_"));
  if (target instanceof Restricted) return [...target.names].filter(visible);
  if (isRecord(target)) return Object.keys(target).filter(visible);
  const names = new Set<string>();
  const hidden = boundaryHidden(target) ?? [];
  let proto: object | null = Object.getPrototypeOf(target) as object | null;
  while (proto !== null && proto !== Object.prototype && !Object.hasOwn(proto, EXPOSURE_BOUNDARY)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (findOnChain(target, key) !== undefined) names.add(key);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  if (config.allowPublicAttrs) for (const key of Object.keys(target)) names.add(key);
  return [...names].filter((key) => visible(key) && !hidden.includes(key));
}

/**
 * True when the peer may read `name` on `target`. Never throws.
 *
 * @example
 * isExposed(new Account(), "balance", DEFAULT_ACCESS_CONFIG); // false
 */
export function isExposed(target: unknown, name: string | number, config: AccessConfig): boolean {
  try {
    findMember(target, name, config);
    return true;
  } catch {
    return false;
  }
}
