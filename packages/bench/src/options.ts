/**
 * Command-line options of `pnpm bench`, with the defaults of a full run and of `--smoke`.
 */
import { parseArgs } from "node:util";
import { WORKLOAD_IDS, parseWorkloadList, type WorkloadId } from "./workloads.ts";

export interface BenchOptions {
  readonly smoke: boolean;
  /** Rounds over every contender × workload; each number in the table is a median over them. */
  readonly rounds: number;
  /** Warm-up before each measured run (not recorded). */
  readonly warmupMs: number;
  /** Length of each measured run. */
  readonly durationMs: number;
  /** Cap on calls per run (also caps the warm-up). */
  readonly maxOps: number;
  /** Contender ids, or undefined for all. */
  readonly contenders: string | undefined;
  readonly workloads: readonly WorkloadId[];
  /** Where the JSON result goes; the markdown table goes next to it (`.md`). */
  readonly jsonPath: string | undefined;
  /** When set, Node children run with `--cpu-prof` writing into this directory. */
  readonly profileDir: string | undefined;
  /** Experiments (experiments.ts) patched into the bundles: the numbers are then NOT rpyc-ts's. */
  readonly experiments: readonly string[];
  /** A fresh server + client process pair for every measured run (instead of one per contender). */
  readonly fresh: boolean;
}

/**
 * A full run: 5 rounds of 1 s per cell (about 4 minutes with every contender).
 *
 * @example
 * await runBench({ ...parseOptions([]), ...FULL_DEFAULTS, rounds: 3 }, console.error);
 */
export const FULL_DEFAULTS = { rounds: 5, warmupMs: 300, durationMs: 1000, maxOps: 1_000_000 };

/**
 * `--smoke`: one short round, a few seconds in all; numbers are meaningless, coverage is not.
 *
 * @example
 * parseOptions(["--smoke"]).durationMs === SMOKE_DEFAULTS.durationMs; // true
 */
export const SMOKE_DEFAULTS = { rounds: 1, warmupMs: 10, durationMs: 30, maxOps: 40 };

export const USAGE = `usage: pnpm bench [--smoke] [--rounds N] [--duration MS] [--warmup MS] [--max-ops N]
                  [--contenders floor,rpyc-tcp,...] [--workloads a,b,...] [--json FILE]
                  [--profile DIR] [--patch experiment,...] [--fresh]`;

/**
 * Parses `pnpm bench` arguments (see `USAGE`) into options, smoke or full defaults applied.
 *
 * @example
 * const options = parseOptions(["--smoke", "--contenders", "floor,rpyc-tcp"]);
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      smoke: { type: "boolean", default: false },
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      "max-ops": { type: "string" },
      contenders: { type: "string" },
      workloads: { type: "string" },
      json: { type: "string" },
      profile: { type: "string" },
      patch: { type: "string" },
      fresh: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const defaults = values.smoke ? SMOKE_DEFAULTS : FULL_DEFAULTS;
  const int = (text: string | undefined, fallback: number, name: string): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} wants a positive integer, got '${text}'`);
    return n;
  };
  return {
    smoke: values.smoke,
    rounds: int(values.rounds, defaults.rounds, "rounds"),
    warmupMs: int(values.warmup, defaults.warmupMs, "warmup"),
    durationMs: int(values.duration, defaults.durationMs, "duration"),
    maxOps: int(values["max-ops"], defaults.maxOps, "max-ops"),
    contenders: values.contenders,
    workloads:
      values.workloads === undefined ? [...WORKLOAD_IDS] : parseWorkloadList(values.workloads),
    jsonPath: values.json,
    profileDir: values.profile,
    experiments: values.patch === undefined ? [] : values.patch.split(",").filter((x) => x !== ""),
    fresh: values.fresh,
  };
}
