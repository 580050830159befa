/**
 * Measures one browser bundle the way a page would ship it: esbuild, bundled, minified, ESM,
 * platform "browser" (so packages resolve by their `browser` export condition), then gzip at
 * level 9. Workspace packages are read from source (`@rpyc/source`), which is what their dist
 * is built from; the bytes match a bundle of dist within a few bytes of banner comments.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** One bundle's sizes in bytes, and the bytes each input file contributes (minified). */
export interface BundleSize {
  minified: number;
  gzipped: number;
  inputs: Record<string, number>;
}

/**
 * Bundles `entry` for a browser and measures it.
 *
 * @example
 * const { gzipped } = await measureBundle(fileURLToPath(new URL("./entries/rpyc-page.ts", import.meta.url)));
 */
export async function measureBundle(entry: string): Promise<BundleSize> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@rpyc/source"],
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0]!.contents;
  const inputs: Record<string, number> = {};
  for (const out of Object.values(result.metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
      if (bytesInOutput > 0) inputs[path] = bytesInOutput;
    }
  }
  return { minified: output.length, gzipped: gzipSync(output, { level: 9 }).length, inputs };
}

/** Sums input bytes by package (workspace folder or node_modules package name). */
export function bytesByPackage(inputs: Record<string, number>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [path, bytes] of Object.entries(inputs)) {
    const name =
      /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ??
      /([^/]+)\/src\//.exec(path)?.[1] ??
      path;
    totals[name] = (totals[name] ?? 0) + bytes;
  }
  return totals;
}
