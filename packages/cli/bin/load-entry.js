/**
 * Runs a package's command entry: its built `dist/<name>.js` when the package was built (an
 * installed package always is), else its TypeScript source `src/<name>.ts` through tsx with the
 * workspace's `@rpyc/source` export condition — so a fresh clone runs `npx rpyc-classic` after
 * `pnpm install`, with no build step. Plain JavaScript on purpose: it runs before any loader.
 *
 * @example
 * await loadEntry(new URL("../", import.meta.url), "cli");
 */
import { existsSync } from "node:fs";
import { register } from "node:module";

// Adds the workspace's source condition to every resolution (hooks run last-registered first,
// so this one runs before tsx's and hands it the extended conditions).
const SOURCE_CONDITION_HOOK = `data:text/javascript,${encodeURIComponent(
  "export async function resolve(specifier, context, next) {" +
    ' return next(specifier, { ...context, conditions: [...context.conditions, "@rpyc/source"] }); }',
)}`;

let sourceLoaderRegistered = false;

/** Imports `<packageRoot>/dist/<name>.js`, or `<packageRoot>/src/<name>.ts` from source. */
export async function loadEntry(packageRoot, name) {
  const built = new URL(`dist/${name}.js`, packageRoot);
  if (existsSync(built)) return import(built.href);
  if (!sourceLoaderRegistered) {
    const tsx = await import("tsx/esm/api");
    tsx.register();
    register(SOURCE_CONDITION_HOOK);
    sourceLoaderRegistered = true;
  }
  return import(new URL(`src/${name}.ts`, packageRoot).href);
}
