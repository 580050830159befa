/**
 * Bundles a page's script for browsers with esbuild, in memory. Workspace packages resolve to
 * their TypeScript source (the "@rpyc/source" condition) and to their browser entries (the
 * "browser" condition), so no package needs building first and no Node module ships.
 */
import { build } from "esbuild";

/**
 * Bundles `entry` (a file path) into one ES module and returns its JavaScript, with an inline
 * source map for devtools.
 *
 * @example
 * const js = await bundlePage(fileURLToPath(new URL("../web/page.ts", import.meta.url)));
 */
export async function bundlePage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
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
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return output.text;
}
