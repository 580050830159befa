/**
 * `pnpm bench:churn`: the memory run (see memory-run.ts). Prints markdown tables and writes
 * results/memory-<date>.json (or `--json FILE`).
 *   --churn N (1,000,000)  --batch N (1,000)  --connections N (5,000)
 *   --churn-contenders ids  --idle-contenders ids  --skip-churn  --skip-idle  --json FILE
 *   --smoke (2,000 netrefs, 50 connections: checks it runs, and that the tables end at baseline)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_DIR } from "./contenders.ts";
import { describeMachine, machineNotes } from "./machine.ts";
import {
  MEMORY_DEFAULTS,
  MEMORY_SMOKE,
  runChurn,
  runIdle,
  type ChurnResult,
  type IdleResult,
} from "./memory-run.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    churn: { type: "string" },
    batch: { type: "string" },
    connections: { type: "string" },
    "churn-contenders": { type: "string" },
    "idle-contenders": { type: "string" },
    "skip-churn": { type: "boolean", default: false },
    "skip-idle": { type: "boolean", default: false },
    json: { type: "string" },
    smoke: { type: "boolean", default: false },
  },
});
const options = {
  ...MEMORY_DEFAULTS,
  ...(values.smoke ? MEMORY_SMOKE : {}),
  ...(values.churn === undefined ? {} : { churnCount: Number(values.churn) }),
  ...(values.batch === undefined ? {} : { churnBatch: Number(values.batch) }),
  ...(values.connections === undefined ? {} : { connections: Number(values.connections) }),
  ...(values["churn-contenders"] === undefined
    ? {}
    : { churnContenders: values["churn-contenders"] }),
  ...(values["idle-contenders"] === undefined ? {} : { idleContenders: values["idle-contenders"] }),
};
const log = (line: string): void => void process.stderr.write(line + "\n");
const machine = machineNotes();
const churn: ChurnResult[] = values["skip-churn"] ? [] : await runChurn(options, log);
const idle: IdleResult[] = values["skip-idle"] ? [] : await runIdle(options, log);

const mib = (bytes: number | undefined): string =>
  bytes === undefined ? "–" : (bytes / 1048576).toFixed(2);
const kib = (bytes: number | undefined): string =>
  bytes === undefined ? "–" : (bytes / 1024).toFixed(1);
/** "client imported 40000, server exported 40000" (the counts that are not zero). */
function tablesText(r: ChurnResult): string {
  const sides = [
    ["client", r.afterChains?.client],
    ["server", r.afterChains?.server],
  ] as const;
  const parts = sides.flatMap(([side, t]) =>
    t == null
      ? []
      : Object.entries(t)
          .filter(([, n]) => n !== 0)
          .map(([k, n]) => `${side} ${k} ${n}`),
  );
  return parts.length === 0 ? "all 0" : parts.join(", ");
}

const lines = [`**${describeMachine(machine)}**`, ""];
if (churn.length > 0) {
  lines.push(
    `Netref churn: ${options.churnCount.toLocaleString("en")} netrefs created (${options.churnBatch} per batch) and released across the wire; heap after a full GC, growth from a warmed-up baseline.`,
    "",
    `| contender | time s | netrefs/s | client heap growth MiB | server heap growth MiB | tables back at baseline | tables right after ${options.chainCount.toLocaleString("en")} chains (f), no GC | note |`,
    "|---|---:|---:|---:|---:|---|---|---|",
    ...churn.map((r) =>
      r.status === "ok"
        ? `| ${r.contender} | ${r.seconds!.toFixed(1)} | ${Math.round(r.netrefs! / r.seconds!).toLocaleString("en")} | ${mib(r.clientHeapGrowth)} | ${mib(r.serverHeapGrowth)} | ${r.atBaseline ? "yes" : `NO: client ${JSON.stringify(r.clientTables)}, server ${JSON.stringify(r.serverTables)}`} | ${tablesText(r)} | |`
        : `| ${r.contender} | – | – | – | – | – | – | ${r.status}: ${r.reason} |`,
    ),
    "",
  );
}
if (idle.length > 0) {
  lines.push(
    `Idle cost per connection: ${options.connections.toLocaleString("en")} connections held open from one client process to one server process (memory after a full GC, minus the same before; each child's open-file limit raised to connections + 1,024).`,
    "",
    "| contender | server heap KiB/conn | server RSS KiB/conn | client heap KiB/conn | client RSS KiB/conn | note |",
    "|---|---:|---:|---:|---:|---|",
    ...idle.map((r) =>
      r.status === "ok"
        ? `| ${r.contender} | ${kib(r.serverHeapPerConnection)} | ${kib(r.serverRssPerConnection)} | ${kib(r.clientHeapPerConnection)} | ${kib(r.clientRssPerConnection)} | |`
        : `| ${r.contender} | – | – | – | – | ${r.status}: ${r.reason} |`,
    ),
    "",
  );
}
const markdown = lines.join("\n");
const jsonPath =
  values.json ??
  join(
    BENCH_DIR,
    "results",
    values.smoke ? "memory-smoke.json" : `memory-${machine.date.replaceAll(":", "-")}.json`,
  );
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ machine, options, churn, idle }, null, 2) + "\n");
writeFileSync(jsonPath.replace(/\.json$/, "") + ".md", markdown);
process.stdout.write(markdown);
log(`wrote ${jsonPath}`);
