/**
 * `pnpm --filter @rpyc/bench bench:inprocess`: CPU µs and bytes allocated per op of rpyc-ts with
 * both ends in one process (see inprocess.ts), with the top allocation sites mapped to source.
 * Writes results/inprocess-<date>.json and .md.   --workloads a,b,d,e,f  --scale 1  --top 12
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { INPROCESS, buildChildren } from "./build-children.ts";
import { LINE_PREFIX } from "./child-protocol.ts";
import { BENCH_DIR } from "./contenders.ts";
import type { InprocessResult } from "./inprocess.ts";
import { describeExperiments } from "./experiments.ts";
import { describeMachine, machineNotes } from "./machine.ts";
import { describeCallFrame } from "./profile-summary.ts";
import { WORKLOADS } from "./workloads.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    workloads: { type: "string", default: "a,b,d,e,f" },
    scale: { type: "string", default: "1" },
    top: { type: "string", default: "12" },
    json: { type: "string" },
    patch: { type: "string" },
  },
});
const machine = machineNotes();
function failed(why: string | undefined): never {
  throw new Error(`the in-process diagnostic does not compile: ${why}`);
}
const experiments =
  values.patch === undefined ? [] : values.patch.split(",").filter((x) => x !== "");
const build = await buildChildren(experiments);
let results: InprocessResult[] | undefined;
try {
  const child = spawn(
    process.execPath,
    [
      build.entries.get(INPROCESS) ?? failed(build.failures.get(INPROCESS)),
      values.workloads,
      values.scale,
    ],
    {
      cwd: BENCH_DIR,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (!line.startsWith(LINE_PREFIX)) return;
    const message = JSON.parse(line.slice(LINE_PREFIX.length)) as { results?: InprocessResult[] };
    results = message.results;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0 || results === undefined)
    throw new Error(`the in-process child failed (exit ${code})`);
  // Map the sites while the bundle (and its source map) still exists.
  results = results.map((r) => ({
    ...r,
    sites: r.sites.map((s) => ({ ...s, functionName: describeCallFrame(s) })),
  }));
} finally {
  build.dispose();
}
const top = Number(values.top);
const lines = [
  `**${describeMachine(machine)}**`,
  "",
  "rpyc-ts, both ends in one process (core's in-memory pair): CPU and bytes allocated per op, both sides together.",
  ...(experiments.length === 0
    ? []
    : [
        "",
        `**EXPERIMENT: patched bundle, not rpyc-ts as it is** — ${describeExperiments(experiments).join("; ")}`,
      ]),
  "",
  "| workload | ops | CPU µs/op | bytes allocated/op |",
  "|---|---:|---:|---:|",
  ...results.map(
    (r) =>
      `| ${WORKLOADS[r.workload].name} | ${r.ops} | ${r.cpuUsPerOp.toFixed(2)} | ${Math.round(r.bytesPerOp)} |`,
  ),
  "",
];
for (const r of results) {
  lines.push(
    `Top allocation sites, ${WORKLOADS[r.workload].name} (bytes per op):`,
    "",
    "| site | B/op |",
    "|---|---:|",
  );
  for (const s of r.sites.slice(0, top))
    lines.push(`| \`${s.functionName}\` | ${Math.round(s.bytes / r.ops)} |`);
  lines.push("");
}
const markdown = lines.join("\n");
const jsonPath =
  values.json ?? join(BENCH_DIR, "results", `inprocess-${machine.date.replaceAll(":", "-")}.json`);
mkdirSync(join(jsonPath, ".."), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ machine, experiments, results }, null, 2) + "\n");
writeFileSync(jsonPath.replace(/\.json$/, "") + ".md", markdown);
process.stdout.write(markdown);
