/**
 * `pnpm demo`: the server starts, prints the page's URL as its first line, serves the page and
 * its script from that URL, and stops cleanly on SIGTERM.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));

describe("pnpm demo", () => {
  it("prints the URL first, serves the page there, and exits 0 on SIGTERM", async () => {
    // The "demo" script's command, with --port 0 so it never collides with a running demo.
    const child = spawn(
      process.execPath,
      ["--conditions=@rpyc/source", "--import", "tsx", "src/server.ts", "--port", "0"],
      { cwd: exampleDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, "exit");
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, "line")) as [string];
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(first);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      const html = await page.text();
      expect(html).toContain('value="localhost/main"');
      const script = await fetch(new URL("web8-page.js", first));
      expect(script.status).toBe(200);
      expect(await script.text()).toContain("Web8Error");
      expect((await fetch(new URL("nothing-here", first))).status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await exited) as [number | null];
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
