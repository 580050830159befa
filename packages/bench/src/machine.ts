/**
 * Machine notes recorded with every result: the numbers mean little without them.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

export interface MachineNotes {
  readonly date: string;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  /** 1-minute load average when the run started (other work on a shared machine skews numbers). */
  readonly loadAverage: number;
}

export function machineNotes(): MachineNotes {
  let cpuModel = "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line !== undefined) cpuModel = line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux: leave "unknown"
  }
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel,
    node: process.version,
    loadAverage: loadavg()[0] ?? 0,
  };
}

export function describeMachine(notes: MachineNotes): string {
  return (
    `${notes.date.slice(0, 16).replace("T", " ")} UTC · ${notes.nproc} cores (nproc) · ` +
    `${notes.cpuModel} · Node ${notes.node} · load ${notes.loadAverage.toFixed(2)} at start`
  );
}
