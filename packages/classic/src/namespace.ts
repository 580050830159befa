/**
 * The per-connection namespace of classic mode: one `vm` context whose global object is what
 * the client sees as `namespace`. Code run by `eval`, `execute` and teleported functions share
 * it, so `execute("var x = 1")` then `eval("x")` is 1.
 *
 * NOTE: `vm` is not a sandbox. The context hands out `require` and `process`; code in it can do
 * anything the server process can. The context only keeps one client's variables apart from
 * another's (and from the server's own globals).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { createContext, runInContext, type Context } from "node:vm";

/** Node globals copied into the namespace (the language's own globals come with the context). */
const NODE_GLOBALS = [
  "console",
  "process",
  "Buffer",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "AbortController",
  "AbortSignal",
  "EventTarget",
  "Event",
  "structuredClone",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "performance",
  "fetch",
  "crypto",
  "atob",
  "btoa",
] as const;

/**
 * A fresh namespace: a contextified object holding `require` (resolving from the server's
 * working directory), the Node globals above, and `globalThis` pointing at itself.
 *
 * @example
 * const ns = createNamespace();
 * runInContext("var x = 40 + 2", ns); // ns.x === 42
 */
export function createNamespace(): Context {
  const sandbox: Record<string, unknown> = {
    require: createRequire(join(process.cwd(), "[rpyc-classic]")),
  };
  for (const name of NODE_GLOBALS) {
    const value = (globalThis as Record<string, unknown>)[name];
    if (value !== undefined) sandbox[name] = value;
  }
  return createContext(sandbox, { name: "rpyc-classic namespace" });
}

/**
 * True when `name` resolves in `context` (its own globals, the language's, or ours).
 *
 * @example
 * definesName(createNamespace(), "require"); // true
 */
export function definesName(context: Context, name: string): boolean {
  const global = runInContext("globalThis", context) as object;
  return name in global;
}
