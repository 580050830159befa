/**
 * `pnpm bench`: runs every contender × workload (see README.md), prints the markdown table on
 * stdout, and writes JSON + markdown under results/ (or to `--json FILE` and FILE's `.md`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BENCH_DIR } from "./contenders.ts";
import { machineNotes } from "./machine.ts";
import { parseOptions } from "./options.ts";
import { jsonReport, markdownReport } from "./report.ts";
import { runBench } from "./run-bench.ts";

const options = parseOptions(process.argv.slice(2));
const machine = machineNotes();
const run = await runBench(options, (line) => process.stderr.write(line + "\n"));
const report = { machine, options, run };
const jsonPath =
  options.jsonPath ??
  join(
    BENCH_DIR,
    "results",
    options.smoke ? "smoke.json" : `bench-${machine.date.replaceAll(":", "-")}.json`,
  );
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, jsonReport(report));
const markdown = markdownReport(report);
writeFileSync(jsonPath.replace(/\.json$/, "") + ".md", markdown);
process.stdout.write(markdown);
process.stderr.write(`wrote ${jsonPath}\n`);
