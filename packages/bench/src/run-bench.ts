/**
 * The orchestrator: starts every available contender's server and client as separate processes
 * on 127.0.0.1, then runs rounds of (workload × contender), rotating the contender order each
 * round so no one always runs first or last, and aggregates medians over the rounds.
 */
import { buildChildren, type ChildBuild } from "./build-children.ts";
import { BenchChild } from "./child-process.ts";
import { BENCH_DIR, selectContenders, type Contender } from "./contenders.ts";
import type { RunResult } from "./measure.ts";
import { median } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { WORKLOADS, type WorkloadId } from "./workloads.ts";

/** One measured run of one cell, as recorded in the JSON. */
export interface RoundResult extends RunResult {
  readonly round: number;
  readonly serverCpuUs: number;
}

export type CellStatus = "ok" | "unsupported" | "not installed" | "failed";

/** One contender × workload. Numbers are medians over the rounds (absent unless status "ok"). */
export interface Cell {
  readonly contender: string;
  readonly workload: WorkloadId;
  status: CellStatus;
  reason?: string;
  rounds: RoundResult[];
  timePerOpUs?: number;
  p50Us?: number;
  p99Us?: number;
  cpuPerOpUs?: number;
  opsPerSecond?: number;
  /** timePerOpUs / the floor's timePerOpUs for the same workload in this run. */
  ratio?: number;
  /** p50Us / the floor's p50Us: the same comparison without the tails (a shared VM has many). */
  p50Ratio?: number;
}

export interface BenchRun {
  readonly contenders: readonly {
    id: string;
    label: string;
    available: boolean;
    reason?: string;
  }[];
  readonly cells: Cell[];
  /** When each process (`<contender>-<role>`) was ready, in monotonic µs (for profiles). */
  readonly readyAtUs: Record<string, number>;
}

interface Live {
  readonly contender: Contender;
  readonly server: BenchChild;
  readonly client: BenchChild;
  readonly supported: Record<string, string | null>;
  readonly readyAtUs: { server: number; client: number };
}

/** Where progress lines go (stderr, so stdout stays the table). */
export type Log = (line: string) => void;

/**
 * Runs the benchmark. `build` is the compiled children (see build-children.ts); when absent,
 * they are built for this run and removed afterwards.
 *
 * @example
 * const run = await runBench(parseOptions(["--smoke"]), console.error);
 * console.log(run.cells.filter((c) => c.status === "ok").length);
 */
export async function runBench(
  options: BenchOptions,
  log: Log,
  build?: ChildBuild,
): Promise<BenchRun> {
  if (build === undefined) {
    const own = await buildChildren(options.experiments);
    try {
      return await runBench(options, log, own);
    } finally {
      own.dispose();
    }
  }
  const chosen = selectContenders(options.contenders);
  const cells: Cell[] = [];
  const cell = (contender: string, workload: WorkloadId): Cell => {
    let found = cells.find((c) => c.contender === contender && c.workload === workload);
    if (found === undefined) {
      found = { contender, workload, status: "ok", rounds: [] };
      cells.push(found);
    }
    return found;
  };
  const markAll = (contender: string, status: CellStatus, reason: string): void => {
    for (const w of options.workloads) {
      const c = cell(contender, w);
      if (c.status === "ok") Object.assign(c, { status, reason });
    }
  };

  const availability = await Promise.all(chosen.map((c) => c.availability()));
  const summary = chosen.map((c, i) => ({
    id: c.id,
    label: c.label,
    available: availability[i] === null,
    ...(availability[i] === null ? {} : { reason: availability[i]! }),
  }));
  const live: Live[] = [];
  try {
    // Start everything at once (process start-up dominates a smoke run); idle peers cost nothing.
    const started = await Promise.allSettled(
      chosen.map((contender, i) =>
        availability[i] === null ? start(contender, options, build) : undefined,
      ),
    );
    for (const [i, contender] of chosen.entries()) {
      const outcome = started[i]!;
      if (availability[i] !== null) {
        log(`${contender.id}: ${availability[i]}`);
        markAll(contender.id, "not installed", availability[i]!);
      } else if (outcome.status === "rejected") {
        const message = (outcome.reason as Error).message;
        log(`${contender.id}: failed to start: ${message}`);
        markAll(contender.id, "failed", `failed to start: ${message.split("\n")[0]}`);
      } else if (outcome.value !== undefined) {
        live.push(outcome.value);
      }
    }
    for (const l of live) {
      for (const w of options.workloads) {
        const reason = l.supported[w];
        if (reason !== null && reason !== undefined)
          Object.assign(cell(l.contender.id, w), { status: "unsupported", reason });
      }
    }

    for (let round = 1; round <= options.rounds; round++) {
      for (const workload of options.workloads) {
        // Rotate the order every round (and per workload), so position effects average out.
        const shift = (round - 1 + options.workloads.indexOf(workload)) % Math.max(1, live.length);
        const order = [...live.slice(shift), ...live.slice(0, shift)];
        for (const l of order) {
          const c = cell(l.contender.id, workload);
          if (c.status !== "ok") continue;
          try {
            const result = options.fresh
              ? await runFresh(l.contender, workload, options, build)
              : await runOnce(l, workload, options);
            c.rounds.push({ round, ...result });
            log(
              `round ${round} ${WORKLOADS[workload].name} ${l.contender.id}: ` +
                `${(result.wallUs / result.ops).toFixed(1)} µs/op (${result.ops} ops)`,
            );
          } catch (error) {
            const message = (error as Error).message;
            log(`round ${round} ${workload} ${l.contender.id}: FAILED ${message}`);
            Object.assign(c, { status: "failed", reason: message.split("\n")[0] });
          }
        }
      }
    }
  } finally {
    await Promise.all(live.flatMap((l) => [l.client.stop(), l.server.stop()]));
  }
  aggregate(cells);
  const readyAtUs: Record<string, number> = {};
  for (const l of live) {
    readyAtUs[`${l.contender.id}-server`] = l.readyAtUs.server;
    readyAtUs[`${l.contender.id}-client`] = l.readyAtUs.client;
  }
  return { contenders: summary, cells, readyAtUs };
}

async function start(
  contender: Contender,
  options: BenchOptions,
  build: ChildBuild,
): Promise<Live> {
  const failure = build.failures.get(contender.id);
  if (failure !== undefined) throw new Error(`does not compile: ${failure}`);
  const entry = build.entries.get(contender.id) ?? "";
  const flags = (role: string): string[] =>
    options.profileDir === undefined
      ? []
      : [
          "--cpu-prof",
          "--cpu-prof-interval=100",
          // One directory per process: Node writes one profile per thread (tsx's loader thread
          // too), named CPU.<date>.<time>.<pid>.<threadId>.<seq>; the main thread is id 0.
          `--cpu-prof-dir=${options.profileDir}/${contender.id}-${role}`,
        ];
  const serverCommand = contender.server({ entry, flags: flags("server") });
  const server = new BenchChild(
    `${contender.id} server`,
    serverCommand.command,
    serverCommand.args,
    BENCH_DIR,
  );
  try {
    const { port, readyAtUs: serverReady } = await server.ready();
    const clientCommand = contender.client(port as number, { entry, flags: flags("client") });
    const client = new BenchChild(
      `${contender.id} client`,
      clientCommand.command,
      clientCommand.args,
      BENCH_DIR,
    );
    try {
      const { supported, readyAtUs: clientReady } = await client.ready();
      return {
        contender,
        server,
        client,
        supported: supported as Record<string, string | null>,
        readyAtUs: { server: (serverReady as number) ?? 0, client: (clientReady as number) ?? 0 },
      };
    } catch (error) {
      await client.stop();
      throw error;
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** `--fresh`: one new server and client process pair for this one measured run. */
async function runFresh(
  contender: Contender,
  workload: WorkloadId,
  options: BenchOptions,
  build: ChildBuild,
): Promise<Omit<RoundResult, "round">> {
  const l = await start(contender, options, build);
  try {
    return await runOnce(l, workload, options);
  } finally {
    await Promise.all([l.client.stop(), l.server.stop()]);
  }
}

async function runOnce(
  l: Live,
  workload: WorkloadId,
  options: BenchOptions,
): Promise<Omit<RoundResult, "round">> {
  await l.client.call("warmup", { workload, durationMs: options.warmupMs, maxOps: options.maxOps });
  const cpuBefore = await l.server.call<number>("cpu");
  const result = await l.client.call<RunResult>("measure", {
    workload,
    durationMs: options.durationMs,
    maxOps: options.maxOps,
  });
  const cpuAfter = await l.server.call<number>("cpu");
  return { ...result, serverCpuUs: cpuAfter - cpuBefore };
}

function aggregate(cells: Cell[]): void {
  for (const c of cells) {
    if (c.status !== "ok" || c.rounds.length === 0) continue;
    c.timePerOpUs = median(c.rounds.map((r) => r.wallUs / r.ops));
    c.p50Us = median(c.rounds.map((r) => r.p50Us));
    c.p99Us = median(c.rounds.map((r) => r.p99Us));
    c.cpuPerOpUs = median(c.rounds.map((r) => (r.clientCpuUs + r.serverCpuUs) / r.ops));
    c.opsPerSecond = 1e6 / c.timePerOpUs;
  }
  for (const c of cells) {
    const floor = cells.find((f) => f.contender === "floor" && f.workload === c.workload);
    if (c.timePerOpUs !== undefined && floor?.timePerOpUs !== undefined) {
      c.ratio = c.timePerOpUs / floor.timePerOpUs;
      if (c.p50Us !== undefined && floor.p50Us !== undefined) c.p50Ratio = c.p50Us / floor.p50Us;
    }
  }
}
