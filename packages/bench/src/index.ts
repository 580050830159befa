/**
 * @rpyc/bench (private): the benchmark harness behind `pnpm bench`. The CLIs are `main.ts`
 * (the table), `memory-main.ts` (churn, idle connections), `profile-main.ts` (CPU profiles) and
 * `inprocess-main.ts` (in-process CPU and allocation); these exports are for scripts and tests.
 */
export { runBench, type BenchRun, type Cell, type CellStatus } from "./run-bench.ts";
export { parseOptions, FULL_DEFAULTS, SMOKE_DEFAULTS, type BenchOptions } from "./options.ts";
export { markdownReport, jsonReport, type BenchReport } from "./report.ts";
export { CONTENDERS, selectContenders, type Contender } from "./contenders.ts";
export { WORKLOADS, WORKLOAD_IDS, type Workload, type WorkloadId } from "./workloads.ts";
export {
  summariseProfile,
  readProfile,
  formatSummary,
  type ProfileSummary,
} from "./profile-summary.ts";
export { runChurn, runIdle, MEMORY_DEFAULTS, type MemoryOptions } from "./memory-run.ts";
