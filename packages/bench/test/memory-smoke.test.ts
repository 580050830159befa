/**
 * Runs `pnpm bench:churn --smoke` for real (2,000 netrefs churned, 50 idle connections, separate
 * processes) and checks its report: every contender has numbers or says why not, and after the
 * churn both sides' reference tables are back at their baseline (a leak check, not a timing).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_DIR } from "../src/contenders.ts";
import { MEMORY_DEFAULTS, type ChurnResult, type IdleResult } from "../src/memory-run.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rpyc-bench-memory-"));
});
// The orchestrator it spawns; stopped if a failure or timeout leaves it running (its own
// children exit when their stdin closes with it).
let running: ChildProcess | undefined;
afterAll(() => {
  if (running !== undefined && running.exitCode === null) running.kill();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe("pnpm bench:churn --smoke", () => {
  it(
    "reports churn and idle cost for every contender, tables back at baseline",
    { timeout: 90_000 },
    async () => {
      const jsonPath = join(dir, "memory.json");
      const child = spawn(
        process.execPath,
        [
          "--conditions=@rpyc/source",
          "--import",
          "tsx",
          "src/memory-main.ts",
          "--smoke",
          "--json",
          jsonPath,
        ],
        { cwd: BENCH_DIR, stdio: ["ignore", "pipe", "pipe"] },
      );
      running = child;
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.resume();
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code, stderr).toBe(0);
      const report = JSON.parse(readFileSync(jsonPath, "utf8")) as {
        churn: ChurnResult[];
        idle: IdleResult[];
      };

      expect(report.churn.map((r) => r.contender)).toEqual(
        MEMORY_DEFAULTS.churnContenders.split(","),
      );
      for (const r of report.churn) {
        expect(["ok", "not installed"], JSON.stringify(r)).toContain(r.status);
        if (r.status === "ok") {
          expect(r.atBaseline, JSON.stringify(r)).toBe(true);
          expect(Number.isFinite(r.clientHeapGrowth) && Number.isFinite(r.serverHeapGrowth)).toBe(
            true,
          );
        }
      }
      expect(report.idle.map((r) => r.contender)).toEqual(
        MEMORY_DEFAULTS.idleContenders.split(","),
      );
      for (const r of report.idle) {
        expect(["ok", "not installed"], JSON.stringify(r)).toContain(r.status);
        if (r.status === "ok") {
          for (const v of [
            r.serverHeapPerConnection,
            r.clientHeapPerConnection,
            r.serverRssPerConnection,
          ]) {
            expect(Number.isFinite(v), JSON.stringify(r)).toBe(true);
          }
        }
      }
      expect(report.idle.find((r) => r.contender === "floor")?.status).toBe("ok");
    },
  );
});
