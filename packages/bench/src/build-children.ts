/**
 * Compiles the Node children (`child.ts`, every contender, and the rpyc-ts packages from their
 * `src/`) into one ESM bundle with esbuild, the compiler tsup uses, before a run.
 *
 * Why not run them under tsx: tsx compiles with `keepNames`, which wraps every function created
 * at run time in a `__name()` call. rpyc-ts creates closures per call, so under tsx it pays a
 * few percent that its published build (tsup, no keepNames) does not; the prebuilt peers
 * (capnweb, birpc) would not pay it. The bundle has linked source maps, which
 * profile-summary.ts uses to name source files and lines.
 *
 * Third-party packages stay external (imported from their installed location, so cbor-x still
 * finds its native extension); only `@rpyc/*` and this package's files are bundled.
 */
import { build, type Plugin } from "esbuild";
import { experimentsPlugin } from "./experiments.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The export condition that points workspace packages at their `src/`. */
const SOURCE_CONDITION = "@rpyc/source";

export const externalThirdParty: Plugin = {
  name: "external-third-party",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (
        args.path.startsWith("@rpyc/") ||
        args.path.startsWith("node:") ||
        args.pluginData === "inner"
      ) {
        return undefined;
      }
      // Resolve where it is installed, and import it from there at run time.
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "inner",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

/** The contender modules a child bundle can be built around (src/contenders/<id>.ts). */
export const CHILD_MODULES = [
  "floor",
  "pingpong",
  "rpyc-tcp",
  "rpyc-ws",
  "rpyc-stream",
  "capnweb",
  "birpc",
] as const;

/** The in-process diagnostic's bundle (inprocess.ts). */
export const INPROCESS = "inprocess";

export interface ChildBuild {
  /** Absolute path of each built bundle by contender id (`node <entry> server|client [port]`). */
  readonly entries: ReadonlyMap<string, string>;
  /** Why a bundle could not be built (e.g. a package mid-edit), by contender id. */
  readonly failures: ReadonlyMap<string, string>;
  readonly dir: string;
  dispose(): void;
}

/**
 * Builds one bundle per contender (and the in-process diagnostic) into a fresh temporary
 * directory; `dispose()` removes it. Bundles are separate so that a package that does not
 * compile right now fails only the contenders that use it, never the floor or the peers.
 */
export async function buildChildren(experiments: readonly string[] = []): Promise<ChildBuild> {
  const dir = mkdtempSync(join(tmpdir(), "rpyc-bench-build-"));
  const src = fileURLToPath(new URL(".", import.meta.url));
  const entries = new Map<string, string>();
  const failures = new Map<string, string>();
  const entryCode = (id: string): string =>
    id === INPROCESS
      ? `import { runInprocessChild } from "./inprocess.ts";\nawait runInprocessChild(process.argv.slice(2));\n`
      : `import { runChild } from "./child.ts";\nimport * as contender from "./contenders/${id}.ts";\n` +
        `await runChild(contender, process.argv.slice(2));\n`;
  await Promise.all(
    [...CHILD_MODULES, INPROCESS].map(async (id) => {
      const outfile = join(dir, `${id}.mjs`);
      try {
        await build({
          stdin: {
            contents: entryCode(id),
            resolveDir: src,
            sourcefile: `${id}-entry.ts`,
            loader: "ts",
          },
          outfile,
          bundle: true,
          format: "esm",
          platform: "node",
          target: "node20",
          conditions: [SOURCE_CONDITION],
          sourcemap: "linked",
          plugins: [experimentsPlugin(experiments), externalThirdParty],
          logLevel: "silent",
        });
        entries.set(id, outfile);
      } catch (error) {
        const first = (
          error as { errors?: { text: string; location?: { file: string; line: number } }[] }
        ).errors?.[0];
        failures.set(
          id,
          first === undefined
            ? String(error)
            : `${first.location ? `${first.location.file}:${first.location.line}: ` : ""}${first.text}`,
        );
      }
    }),
  );
  return { entries, failures, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
