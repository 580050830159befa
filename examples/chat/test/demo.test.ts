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
  it("plays a scripted chat over real tcp and exits 0 by itself", async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    for (const line of [
      "refused: wrong user name or password (RPYC_ERR_CHAT_LOGIN_FAILED)",
      "<spam> hello foo!",
      "* eggs left (connection lost) *",
      "* spam left (logged out) *",
      "(RPYC_ERR_CHAT_LOGGED_OUT)",
    ]) {
      expect(stdout).toContain(line);
    }
  });
});
