import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs the package's "demo" script command the way `pnpm demo` does. */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--conditions=@rpyc/source", "--import", "tsx", "src/demo.ts"],
      { cwd: exampleDir, timeout: 30_000 },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("pnpm demo", () => {
  it("shows one event per file change and exits 0 by itself", async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[client\] event: create +notes\.txt/);
    expect(stdout).toContain("[client] event: change  notes.txt (12 bytes)");
    expect(stdout).toContain("[client] event: rename  notes.txt -> todo.txt (12 bytes)");
    expect(stdout).toContain("[client] event: delete  todo.txt");
    expect(stdout).toContain("the server now runs 0 watchers");
  });
});
