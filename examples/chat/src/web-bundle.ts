/**
 * Builds the web client (web/chat-page.ts) into one browser script with esbuild, in memory.
 * The server does it once at startup, so the page always matches the source.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

/** The page's entry point. */
export const CHAT_PAGE_ENTRY = fileURLToPath(new URL("../web/chat-page.ts", import.meta.url));

/**
 * Bundles the chat page for browsers and returns the JavaScript. Workspace packages resolve to
 * their TypeScript source (the "@rpyc/source" condition), so no package needs building first.
 *
 * @example
 * const js = await buildChatPage(); // serve as /chat-page.js
 */
export async function buildChatPage(): Promise<string> {
  const result = await build({
    entryPoints: [CHAT_PAGE_ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@rpyc/source", "browser"],
    sourcemap: "inline",
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild produced no output for the chat page");
  return output.text;
}
