/**
 * The README's opening example must run as written: extract the first ```ts block, run it with
 * Node (tsx, source conditions) in a child process, and check what it prints.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

it("the README example runs and prints what it says", { timeout: 30_000 }, async () => {
  const readme = readFileSync(join(here, "..", "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  // Write it next to the package so that "@rpyc/core" resolves like in a user's project.
  const dir = mkdtempSync(join(here, ".readme-"));
  const file = join(dir, "example.ts");
  writeFileSync(file, code);
  const tsx = createRequire(join(here, "..", "..", "..", "package.json")).resolve("tsx");
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--conditions=@rpyc/source", "--import", tsx, file],
        { timeout: 25_000 },
        (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
      ),
    );
    expect(stdout.trim().split("\n")).toEqual([
      "5",
      "1 2",
      "{ exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 }",
      "true",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
