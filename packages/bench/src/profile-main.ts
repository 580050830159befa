/**
 * `pnpm bench:profile`: runs one contender's client and server under `--cpu-prof` (100 µs
 * sampling), one process pair per workload so each profile holds one workload, then summarises
 * every profile (profile-summary.ts) into results/profiles/summary.md.
 *   --contender rpyc-tcp (default)  --workloads a,b,c (default)  --duration MS (5000)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildChildren } from "./build-children.ts";
import { BENCH_DIR } from "./contenders.ts";
import { FULL_DEFAULTS } from "./options.ts";
import { formatSummary, readProfile } from "./profile-summary.ts";
import { runBench } from "./run-bench.ts";
import { WORKLOADS, parseWorkloadList } from "./workloads.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    contender: { type: "string", default: "rpyc-tcp" },
    workloads: { type: "string", default: "a,b,c" },
    duration: { type: "string", default: "5000" },
    top: { type: "string", default: "25" },
  },
});
const root = join(BENCH_DIR, "results", "profiles");
const log = (line: string): void => void process.stderr.write(line + "\n");
const sections: string[] = [];
const build = await buildChildren();
for (const workload of parseWorkloadList(values.workloads)) {
  const dir = join(root, `${values.contender}-${workload}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = await runBench(
    {
      ...FULL_DEFAULTS,
      smoke: false,
      rounds: 1,
      durationMs: Number(values.duration),
      contenders: values.contender,
      workloads: [workload],
      jsonPath: undefined,
      profileDir: dir,
      experiments: [],
      fresh: false,
    },
    log,
    build,
  );
  const cell = run.cells[0];
  sections.push(
    `## ${values.contender} ${WORKLOADS[workload].name}: ${cell?.timePerOpUs?.toFixed(1) ?? cell?.status} µs/op under the profiler`,
    "",
  );
  for (const name of readdirSync(dir).sort()) {
    // The main thread's profile (thread id 0); tsx's loader thread writes another, idle one.
    const main = readdirSync(join(dir, name)).find((f) =>
      /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f),
    );
    if (main === undefined) continue;
    const since = run.readyAtUs[name] ?? 0;
    sections.push(
      formatSummary(name, readProfile(join(dir, name, main), since), Number(values.top)),
    );
  }
}
build.dispose();
writeFileSync(join(root, "summary.md"), sections.join("\n"));
process.stdout.write(sections.join("\n"));
log(`wrote ${join(root, "summary.md")}`);
