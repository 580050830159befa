/**
 * Experiments: source patches applied to OTHER packages' code at bundle time only (never on
 * disk), to measure what a proposed change to core/netref/protocol would gain before its owner
 * makes it. `pnpm bench --patch frame-alloc`, `bench:inprocess --patch …`. A run with
 * patches says so in its header; a patch whose text is no longer found fails the build loudly
 * (the owner changed that code: the experiment is stale).
 */
import { readFile } from "node:fs/promises";
import type { Plugin } from "esbuild";

interface Patch {
  /** What the patch stands for, printed with the results. */
  readonly description: string;
  /** Path suffix of the patched file, e.g. "core/src/connection.ts". */
  readonly file: string;
  readonly edits: readonly {
    readonly find: string;
    readonly replace: string;
    readonly all?: boolean;
  }[];
}

export const EXPERIMENTS: Readonly<Record<string, readonly Patch[]>> = {
  "frame-alloc": [
    {
      description: "framing.ts FrameDecoder: Buffer.allocUnsafe for split frames (no zero-fill)",
      file: "protocol/src/framing.ts",
      edits: [
        {
          find: "frame = this.#frame = new Uint8Array(length);",
          replace: "frame = this.#frame = Buffer.allocUnsafe(length);",
        },
      ],
    },
  ],
};

/** The esbuild plugin applying the named experiments; throws on an unknown name. */
export function experimentsPlugin(names: readonly string[]): Plugin {
  const patches = names.flatMap((name) => {
    const found = EXPERIMENTS[name];
    if (found === undefined) {
      throw new Error(
        `unknown experiment '${name}' (known: ${Object.keys(EXPERIMENTS).join(", ")})`,
      );
    }
    return found;
  });
  return {
    name: "bench-experiments",
    setup(build) {
      if (patches.length === 0) return;
      const applied = new Set<Patch>();
      build.onEnd((result) => {
        // A patched file that no longer exists (renamed, split) makes the experiment stale too.
        const missing = patches.filter((p) => !applied.has(p));
        if (result.errors.length === 0 && missing.length > 0) {
          throw new Error(
            `experiment patch is stale: ${missing.map((p) => p.file).join(", ")} not in the bundle`,
          );
        }
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const mine = patches.filter((p) => args.path.endsWith(p.file));
        if (mine.length === 0) return undefined;
        for (const patch of mine) applied.add(patch);
        let text = await readFile(args.path, "utf8");
        for (const patch of mine) {
          for (const edit of patch.edits) {
            if (!text.includes(edit.find)) {
              throw new Error(
                `experiment patch is stale: '${edit.find}' not found in ${patch.file}`,
              );
            }
            text = edit.all
              ? text.split(edit.find).join(edit.replace)
              : text.replace(edit.find, edit.replace);
          }
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

/** One line per applied patch, for report headers. */
export function describeExperiments(names: readonly string[]): string[] {
  return names.flatMap((name) => (EXPERIMENTS[name] ?? []).map((p) => `${name}: ${p.description}`));
}
