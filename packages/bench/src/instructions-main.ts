/**
 * `pnpm --filter @rpyc/bench bench:instructions`: instructions per op of rpyc-ts in one process
 * (the in-process run of inprocess.ts, heap sampling off), counted by valgrind's callgrind —
 * repeatable whatever else the machine does, unlike times on a shared VM. Each workload runs at
 * two op counts; instructions per op = the difference of the totals / the difference of the ops,
 * so start-up and warm-up cancel out. Slow (valgrind: ~1 min per run).
 *   --workloads a,e  --patch experiment,…  --scales 0.05,0.1
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { INPROCESS, buildChildren } from "./build-children.ts";
import { BENCH_DIR } from "./contenders.ts";
import { describeExperiments } from "./experiments.ts";
import { OPS } from "./inprocess.ts";
import { WORKLOADS, parseWorkloadList, type WorkloadId } from "./workloads.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    workloads: { type: "string", default: "a" },
    patch: { type: "string" },
    scales: { type: "string", default: "0.05,0.1" },
  },
});
const experiments =
  values.patch === undefined ? [] : values.patch.split(",").filter((x) => x !== "");
const [low, high] = values.scales.split(",").map(Number) as [number, number];

/** Op executions of one in-process run at `scale` (warm-up 1/5, then 5 CPU rounds). */
function executed(workload: WorkloadId, scale: number): number {
  const ops = Math.max(64, Math.round(OPS[workload]! * scale));
  return Math.ceil(ops / 5) + 5 * ops;
}

async function count(entry: string, workload: WorkloadId, scale: number): Promise<number> {
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      // GC and JIT on the main thread: no helper threads whose timing varies between runs.
      "--single-threaded",
      entry,
      workload,
      String(scale),
      "no-heap",
    ],
    { cwd: BENCH_DIR, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await once(child, "exit");
  const match = /Collected : (\d+)/.exec(stderr);
  if (match === null) throw new Error(`valgrind printed no count:\n${stderr.slice(-2000)}`);
  return Number(match[1]);
}

const build = await buildChildren(experiments);
try {
  const entry = build.entries.get(INPROCESS);
  if (entry === undefined) throw new Error(`does not compile: ${build.failures.get(INPROCESS)}`);
  if (experiments.length > 0)
    console.log(`EXPERIMENT: ${describeExperiments(experiments).join("; ")}`);
  for (const workload of parseWorkloadList(values.workloads)) {
    const [a, b] = await Promise.all([count(entry, workload, low), count(entry, workload, high)]);
    const perOp = (b - a) / (executed(workload, high) - executed(workload, low));
    console.log(
      `${WORKLOADS[workload].name}: ${Math.round(perOp).toLocaleString("en")} instructions per op`,
    );
  }
} finally {
  build.dispose();
}
