/**
 * Tab completion of member names, remote ones included: `root.ad<Tab>` asks the peer which
 * names its policy exposes on `root` (the `Keys` operation), `root.bank.acc<Tab>` asks it about
 * `root.bank`. Only property paths are completed — identifiers, `.name`, `?.name`, `[0]`,
 * `["name"]` — so completion never calls a function, here or there: a line whose member
 * access follows a call (`root.make().`) completes nothing.
 *
 * The path is sent as one pipelined chain (`keys(root.bank)`), so no intermediate netref is
 * ever materialized here: the peer holds the intermediates until this side's remote promises
 * are collected, as for any pipelined chain. A peer that does not answer within `timeoutMs`
 * gives no completions (the line stays as typed).
 */
import { builtinModules } from "node:module";
import { isNetref, isRemotePromise, keys } from "@rpyc/core";

/** What the completer may look at. */
export interface CompletionScope {
  /** A top-level name of the REPL (its context); `found: false` when it has none. */
  lookup(name: string): { found: boolean; value?: unknown };
  /** The classic `modules` object, if any: `modules.<Tab>` lists the built-in modules. */
  readonly modules?: object;
}

/** A completion in readline's shape: the candidates, and the text they replace. */
export type Completion = [string[], string];

/** How long completion waits for the peer: 2 s. */
export const COMPLETION_TIMEOUT_MS = 2000;

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
const SEGMENT = String.raw`(?:\??\.${IDENT}|\[(?:\d+|'[^'\\]*'|"[^"\\]*")\])`;
/** A property path at the end of the line, then `.` (or `?.`) and the partial name. */
const MEMBER_AT_END = new RegExp(
  String.raw`(?<![\w$.)\]}'"\x60])(${IDENT}${SEGMENT}*)\??\.(${IDENT})?$`,
);
/** Any `.` or `?.` member access (with or without a partial name) at the end of the line. */
const ANY_MEMBER_AT_END = new RegExp(String.raw`\??\.(${IDENT})?$`);

/** Splits `a.b[0]["c"]` into ["a", "b", "0", "c"]. */
function pathSegments(path: string): string[] {
  const segments: string[] = [];
  const re = new RegExp(String.raw`(${IDENT})|\[(\d+)\]|\['([^'\\]*)'\]|\["([^"\\]*)"\]`, "g");
  for (const match of path.matchAll(re)) {
    segments.push(match[1] ?? match[2] ?? match[3] ?? match[4]!);
  }
  return segments;
}

const isRemote = (value: unknown): boolean => isNetref(value) || isRemotePromise(value);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every property name of a local value, along its prototype chain (as Node's REPL lists). */
function localNames(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const names = new Set<string>();
  let object: object | null = Object(value) as object;
  for (let depth = 0; object !== null && depth < 32; depth++) {
    if (object === Object.prototype && names.size > 0) break;
    for (const name of Object.getOwnPropertyNames(object)) names.add(name);
    object = Object.getPrototypeOf(object) as object | null;
  }
  return [...names];
}

/**
 * Completes the member access at the end of `line`. Resolves to `undefined` when the line does
 * not end with one (the caller falls back to Node's completion of plain names and commands).
 *
 * @example
 * await completeMember("root.ad", { lookup: (n) => ({ found: n === "root", value: conn.root }) });
 * // [["add"], "ad"]
 */
export async function completeMember(
  line: string,
  scope: CompletionScope,
  timeoutMs: number = COMPLETION_TIMEOUT_MS,
): Promise<Completion | undefined> {
  const member = ANY_MEMBER_AT_END.exec(line);
  if (member === null) return undefined;
  const partial = member[1] ?? "";
  const match = MEMBER_AT_END.exec(line);
  // A member of something that is not a plain property path (a call, a literal): nothing.
  if (match === null) return [[], partial];
  const [first, ...rest] = pathSegments(match[1]!);
  const top = scope.lookup(first!);
  if (!top.found) return [[], partial];
  const names = await namesAlong(top.value, rest, scope, timeoutMs);
  const candidates = [...new Set(names)]
    .filter((name) => new RegExp(`^${IDENT}$`).test(name) && name.startsWith(partial))
    .sort();
  return [candidates, partial];
}

/** The member names of `value[rest[0]][rest[1]]…`, reading local values and asking the peer. */
async function namesAlong(
  value: unknown,
  rest: readonly string[],
  scope: CompletionScope,
  timeoutMs: number,
): Promise<string[]> {
  let current = value;
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i]!;
    if (isRemote(current)) {
      // The rest of the path is remote: one pipelined chain, answered by the peer.
      let chain = current as Record<string, unknown>;
      for (const segment of rest.slice(i)) chain = chain[segment] as Record<string, unknown>;
      return remoteNames(chain, timeoutMs);
    }
    if (scope.modules !== undefined && current === scope.modules) {
      // `modules.x` imports x on the server: done for built-ins only (no package code runs).
      if (!builtinModules.includes(name.replace(/^node:/, ""))) return [];
    } else if (current === null || current === undefined) {
      return [];
    }
    current = (current as Record<string, unknown>)[name];
  }
  if (isRemote(current)) return remoteNames(current, timeoutMs);
  if (scope.modules !== undefined && current === scope.modules) {
    return builtinModules.filter((name) => !name.startsWith("_"));
  }
  return localNames(current);
}

async function remoteNames(ref: unknown, timeoutMs: number): Promise<string[]> {
  try {
    return (await withTimeout(keys(ref), timeoutMs)) ?? [];
  } catch {
    return []; // not exposed, released, closed: nothing to offer
  }
}
