/**
 * Turns a `BenchRun` into the markdown tables of the README and the JSON result file.
 */
import { CONTENDERS } from "./contenders.ts";
import type { MachineNotes } from "./machine.ts";
import { describeExperiments } from "./experiments.ts";
import { describeMachine } from "./machine.ts";
import type { BenchOptions } from "./options.ts";
import type { BenchRun, Cell } from "./run-bench.ts";
import { WORKLOADS } from "./workloads.ts";

export interface BenchReport {
  readonly machine: MachineNotes;
  readonly options: BenchOptions;
  readonly run: BenchRun;
}

const fmt = (n: number | undefined, digits = 1): string =>
  n === undefined || !Number.isFinite(n) ? "–" : n >= 1000 ? n.toFixed(0) : n.toFixed(digits);

const label = (id: string): string => CONTENDERS.find((c) => c.id === id)?.label ?? id;

/** What a cell without numbers says ("unsupported: no remote objects", "not installed", …). */
export function cellText(cell: Cell): string {
  if (cell.status === "ok") return `${fmt(cell.ratio, 2)}x`;
  return cell.status;
}

/** Summary matrix: contenders × workloads, ratio to the floor (time per op in µs). */
function summaryTable(report: BenchReport): string {
  const { run, options } = report;
  const header = `| contender | ${options.workloads.map((w) => WORKLOADS[w].name).join(" | ")} |`;
  const rule = `|---|${options.workloads.map(() => "---:").join("|")}|`;
  const rows = run.contenders.map((c) => {
    const cells = options.workloads.map((w) => {
      const cell = run.cells.find((x) => x.contender === c.id && x.workload === w);
      if (cell === undefined) return "–";
      if (cell.status !== "ok") return cell.status;
      return `${fmt(cell.ratio, 2)}x (${fmt(cell.timePerOpUs)} µs)`;
    });
    return `| ${c.label} | ${cells.join(" | ")} |`;
  });
  const targets = `| *rpyc-ts target* | ${options.workloads.map((w) => `≤ ${WORKLOADS[w].target.toFixed(2)}x`).join(" | ")} |`;
  return [header, rule, ...rows, targets].join("\n");
}

/** rpyc-ts against its targets: one row per workload, "met" or "missed" per rpyc-ts contender. */
function standingsTable(report: BenchReport): string {
  const ours = report.run.contenders.filter((c) => c.id.startsWith("rpyc-"));
  const lines = [
    `| workload | target | ${ours.map((c) => c.label).join(" | ")} |`,
    `|---|---:|${ours.map(() => "---|").join("")}`,
  ];
  for (const w of report.options.workloads) {
    const target = WORKLOADS[w].target;
    const cells = ours.map((c) => {
      const cell = report.run.cells.find((x) => x.contender === c.id && x.workload === w);
      if (cell?.ratio === undefined) return cell?.status ?? "–";
      const p50 = cell.p50Ratio === undefined ? "" : ` (p50 ${fmt(cell.p50Ratio, 2)}x)`;
      return `${fmt(cell.ratio, 2)}x ${cell.ratio <= target ? "met" : "missed"}${p50}`;
    });
    lines.push(`| ${WORKLOADS[w].name} | ≤ ${target.toFixed(2)}x | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Detail: one row per contender × workload with every median. */
function detailTable(report: BenchReport): string {
  const lines = [
    "| workload | contender | time/op µs | ratio | p50 µs | p99 µs | CPU µs/op (client+server) | ops/s | note |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const w of report.options.workloads) {
    for (const c of report.run.contenders) {
      const cell = report.run.cells.find((x) => x.contender === c.id && x.workload === w);
      if (cell === undefined) continue;
      const note =
        cell.status === "ok" ? "" : `${cell.status}${cell.reason ? `: ${cell.reason}` : ""}`;
      lines.push(
        `| ${WORKLOADS[w].name} | ${label(c.id)} | ${fmt(cell.timePerOpUs)} | ${cell.ratio === undefined ? "–" : `${fmt(cell.ratio, 2)}x`} | ` +
          `${fmt(cell.p50Us)} | ${fmt(cell.p99Us)} | ${fmt(cell.cpuPerOpUs)} | ${fmt(cell.opsPerSecond, 0)} | ${note.replaceAll("|", "/")} |`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The markdown of a run: machine line, summary matrix, standings against the targets, detail.
 *
 * @example
 * process.stdout.write(markdownReport({ machine: machineNotes(), options, run }));
 */
export function markdownReport(report: BenchReport): string {
  const { options } = report;
  return [
    `**${describeMachine(report.machine)}**`,
    "",
    `Medians over ${options.rounds} round(s) of ${options.durationMs} ms per cell ` +
      `(after ${options.warmupMs} ms warm-up)${options.smoke ? " — SMOKE MODE, numbers are meaningless" : ""}. ` +
      "Ratio = time per op / the raw TCP floor's time per op for the same workload in the same run.",
    ...(options.experiments.length === 0
      ? []
      : [
          "",
          `**EXPERIMENT: patched bundles, not rpyc-ts as it is** — ${describeExperiments(options.experiments).join("; ")}`,
        ]),
    "",
    summaryTable(report),
    "",
    standingsTable(report),
    "",
    detailTable(report),
    "",
  ].join("\n");
}

/**
 * The JSON of a run (machine, options, every cell with its rounds).
 *
 * @example
 * writeFileSync("results/bench.json", jsonReport({ machine, options, run }));
 */
export function jsonReport(report: BenchReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}
