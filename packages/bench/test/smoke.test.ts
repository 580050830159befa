/**
 * Runs `pnpm bench --smoke` for real (separate server and client processes on 127.0.0.1) and
 * checks that it produced a complete table: every contender × workload has numbers, or says
 * explicitly why not ("unsupported", "not installed"). No timing is asserted: speed is measured
 * by the benchmark itself, never in tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BENCH_DIR, selectContenders } from "../src/contenders.ts";
import type { BenchReport } from "../src/report.ts";
import { WORKLOAD_IDS } from "../src/workloads.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rpyc-bench-smoke-"));
});
// The orchestrator it spawns; stopped if a failure or timeout leaves it running (its own
// children exit when their stdin closes with it).
let running: ChildProcess | undefined;
afterAll(() => {
  if (running !== undefined && running.exitCode === null) running.kill();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

async function runSmoke(): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  report: BenchReport;
}> {
  const jsonPath = join(dir, "smoke.json");
  const child = spawn(
    process.execPath,
    ["--conditions=@rpyc/source", "--import", "tsx", "src/main.ts", "--smoke", "--json", jsonPath],
    { cwd: BENCH_DIR, stdio: ["ignore", "pipe", "pipe"] },
  );
  running = child;
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  const report = JSON.parse(readFileSync(jsonPath, "utf8")) as BenchReport;
  return { code, stdout, stderr, report };
}

describe("pnpm bench --smoke", () => {
  it(
    "fills every contender × workload cell and prints the table",
    { timeout: 90_000 },
    async () => {
      const { code, stdout, stderr, report } = await runSmoke();
      expect(code, stderr).toBe(0);

      for (const contender of selectContenders(undefined)) {
        for (const workload of WORKLOAD_IDS) {
          const cell = report.run.cells.find(
            (c) => c.contender === contender.id && c.workload === workload,
          );
          const where = `${contender.id} × ${workload}: ${JSON.stringify(cell)}`;
          expect(cell, where).toBeDefined();
          expect(["ok", "unsupported", "not installed"], where).toContain(cell!.status);
          if (cell!.status === "ok") {
            expect(cell!.rounds.length, where).toBeGreaterThan(0);
            for (const value of [
              cell!.timePerOpUs,
              cell!.p50Us,
              cell!.p99Us,
              cell!.cpuPerOpUs,
              cell!.ratio,
            ]) {
              expect(Number.isFinite(value) && value! > 0, where).toBe(true);
            }
          } else {
            expect(cell!.reason, where).toMatch(/\S/);
          }
        }
      }
      // The floor is the denominator of every ratio: it must always run, and run everything.
      expect(
        report.run.cells.filter((c) => c.contender === "floor" && c.status === "ok"),
      ).toHaveLength(WORKLOAD_IDS.length);

      // The markdown table names every contender and every workload.
      for (const contender of selectContenders(undefined))
        expect(stdout).toContain(`| ${contender.label} |`);
      expect(stdout).toContain("| (a) add |");
      expect(stdout).toContain("| (f) chain x3 |");
    },
  );
});
