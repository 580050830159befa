import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));

describe("pnpm demo", () => {
  it("runs server and client end to end, prints what happened, and exits 0 by itself", async () => {
    // The same command as the package's "demo" script, run as a person would run it.
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = execFile(
        process.execPath,
        ["--conditions=@rpyc/source", "--import", "tsx", "src/demo.ts"],
        { cwd: exampleDir, timeout: 30_000 },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[server\] TimeService listening on 127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/\[client\] the server's time is \w{3} \w{3} /);
    for (const n of [1, 2, 3]) expect(stdout).toContain(`[client] tick ${n}: `);
    expect(stdout).not.toContain("tick 4");
    expect(stdout).toContain("cancelled the subscription after 3 ticks");
    expect(stdout).toContain("done: the server called the client's function back 3 times");
  });
});
