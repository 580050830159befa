/**
 * In-process diagnostic (runs inside a child process, see child.ts role `inprocess`): both ends
 * of an rpyc-ts connection in one process over core's in-memory pair (`connectPair`), so no
 * syscall and no scheduler noise reaches the numbers. For each workload it reports the CPU time
 * per op and the bytes allocated per op (V8's sampling heap profiler, collected objects
 * included), with the functions that allocate most — steadier guides for the core and netref
 * owners than wall-clock ratios on a shared VM.
 */
import { connectPair } from "@rpyc/core";
import { Session } from "node:inspector/promises";
import { cpuMicros, emit } from "./child-protocol.ts";
import { median } from "./measure.ts";
import { BenchService, rpycDriver } from "./contenders/rpyc-service.ts";
import { IN_FLIGHT, type WorkloadId } from "./workloads.ts";

/** One sampled allocation site (bundle position; the orchestrator maps it to source). */
export interface AllocationSite {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
  readonly bytes: number;
}

export interface InprocessResult {
  readonly workload: WorkloadId;
  readonly ops: number;
  readonly cpuUsPerOp: number;
  readonly bytesPerOp: number;
  readonly sites: AllocationSite[];
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Runs per workload whose CPU per op is reported as a median. */
const ROUNDS = 5;

/** Ops per workload: enough for steady numbers, a few seconds in all. */
export const OPS: Partial<Record<WorkloadId, number>> = {
  a: 20_000,
  b: 20_000,
  d: 10_000,
  e: 20_000,
  f: 10_000,
};

export async function runInprocess(
  workloads: readonly WorkloadId[],
  scale: number,
  sampleHeap = true,
): Promise<InprocessResult[]> {
  const [client, server] = await connectPair({}, { service: BenchService });
  const driver = rpycDriver(client as never);
  const session = new Session();
  session.connect();
  const results: InprocessResult[] = [];
  try {
    for (const workload of workloads) {
      const base = OPS[workload];
      if (base === undefined) continue; // (c) is about sockets and copies: measured over tcp
      const op = driver.ops[workload === "b" ? "a" : workload]!;
      const ops = Math.max(64, Math.round(base * scale));
      const run = async (n: number): Promise<void> => {
        if (workload !== "b") {
          for (let i = 0; i < n; i++) await op();
          return;
        }
        let issued = 0;
        const loop = async (): Promise<void> => {
          while (issued < n) {
            issued++;
            await op();
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
      };
      await run(Math.ceil(ops / 5)); // warm-up
      // CPU: the median of ROUNDS runs (a shared machine makes single runs jumpy).
      const perRound: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const cpu0 = cpuMicros();
        await run(ops);
        perRound.push((cpuMicros() - cpu0) / ops);
      }
      const cpuUsPerOp = median(perRound);
      if (!sampleHeap) {
        // Instruction counting (valgrind) runs: the sampler's own work would blur the count.
        results.push({ workload, ops, cpuUsPerOp, bytesPerOp: Number.NaN, sites: [] });
        continue;
      }
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 256,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as never);
      await run(ops);
      const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as {
        profile: { head: SamplingNode };
      };
      const sites = new Map<string, AllocationSite>();
      let total = 0;
      const walk = (node: SamplingNode): void => {
        const f = node.callFrame;
        const key = `${f.functionName}@${f.url}:${f.lineNumber}:${f.columnNumber}`;
        const site = sites.get(key);
        sites.set(key, { ...f, bytes: (site?.bytes ?? 0) + node.selfSize });
        total += node.selfSize;
        for (const child of node.children) walk(child);
      };
      walk(profile.head);
      results.push({
        workload,
        ops,
        cpuUsPerOp,
        bytesPerOp: total / ops,
        sites: [...sites.values()]
          .filter((s) => s.bytes > 0)
          .sort((x, y) => y.bytes - x.bytes)
          .slice(0, 40),
      });
    }
  } finally {
    session.disconnect();
    await client.close();
    await server.close();
  }
  return results;
}

/**
 * Entry of the in-process child: argv = [workloads "a,b,…", scale, "no-heap"?]; emits one JSON
 * line. With "no-heap" it skips the heap sampling (for instruction counts under valgrind).
 */
export async function runInprocessChild(argv: readonly string[]): Promise<void> {
  const workloads = (argv[0] ?? "a,b,d,e,f").split(",") as WorkloadId[];
  const results = await runInprocess(workloads, Number(argv[1] ?? "1"), argv[2] !== "no-heap");
  emit({ event: "inprocess", results });
  process.exit(0);
}
