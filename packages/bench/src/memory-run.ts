/**
 * The memory run (`pnpm bench:churn`): (1) netref churn: 1,000,000 netrefs created and released
 * across the wire, after which both sides' reference tables must be back at baseline, with the
 * heap growth of each process; (2) idle cost per connection: 5,000 connections held open to one
 * server, memory per connection on each side. Both after a full GC (`--expose-gc`).
 */
import { buildChildren } from "./build-children.ts";
import { BenchChild } from "./child-process.ts";
import { BENCH_DIR, selectContenders, type Contender, type ProcessCommand } from "./contenders.ts";

export interface MemoryOptions {
  readonly churnCount: number;
  readonly churnBatch: number;
  /** Pipelined chains run after the churn, whose leftovers in the tables are reported. */
  readonly chainCount: number;
  readonly connections: number;
  /** Connections opened at a time (keeps the accept backlog short). */
  readonly connectConcurrency: number;
  /** Contenders for the churn run (they must implement `ClientDriver.churn`). */
  readonly churnContenders: string;
  /** Contenders for the idle-connection run. */
  readonly idleContenders: string;
}

/**
 * The memory run's defaults: 1,000,000 netrefs in batches of 1,000; 5,000 connections.
 *
 * @example
 * await runIdle({ ...MEMORY_DEFAULTS, idleContenders: "floor,rpyc-tcp" }, console.error);
 */
export const MEMORY_DEFAULTS: MemoryOptions = {
  churnCount: 1_000_000,
  churnBatch: 1_000,
  chainCount: 20_000,
  connections: 5_000,
  connectConcurrency: 100,
  churnContenders: "rpyc-tcp,rpyc-ws",
  idleContenders: "floor,rpyc-tcp,rpyc-ws,capnweb,birpc",
};

/** `--smoke`: a few seconds; the numbers mean nothing, the baseline check still does. */
export const MEMORY_SMOKE: Partial<MemoryOptions> = {
  churnCount: 2_000,
  churnBatch: 100,
  chainCount: 200,
  connections: 50,
  connectConcurrency: 10,
};

interface Memory {
  heapUsed: number;
  rss: number;
}

export interface ChurnResult {
  readonly contender: string;
  readonly status: "ok" | "not installed" | "failed";
  readonly reason?: string;
  readonly netrefs?: number;
  readonly seconds?: number;
  readonly clientHeapGrowth?: number;
  readonly serverHeapGrowth?: number;
  readonly clientTables?: { before: unknown; after: unknown };
  readonly serverTables?: { before: unknown; after: unknown };
  readonly atBaseline?: boolean;
  /** `root.make().next().value` chains run after the churn… */
  readonly chains?: number;
  /** …and both sides' tables right after them, before any GC (baseline: `clientTables.before`). */
  readonly afterChains?: {
    client: Record<string, number> | null;
    server: Record<string, number> | null;
  };
}

export interface IdleResult {
  readonly contender: string;
  readonly status: "ok" | "not installed" | "failed";
  readonly reason?: string;
  readonly connections?: number;
  readonly serverHeapPerConnection?: number;
  readonly serverRssPerConnection?: number;
  readonly clientHeapPerConnection?: number;
  readonly clientRssPerConnection?: number;
}

const NODE_FLAGS = ["--expose-gc"];

/** Open files a child needs besides the connections it holds (modules, pipes, epoll, …). */
const FILE_LIMIT_SLACK = 1024;

/**
 * Runs `command` with its open-file limit raised to at least `files` (5,000 sockets need more
 * than the common default of 1,024). The soft limit can go up to the hard limit without
 * privileges; when even that is lower, the run goes on with the hard limit and says so if a
 * connect fails (EMFILE).
 */
function withFileLimit(command: ProcessCommand, files: number): ProcessCommand {
  return {
    command: "/bin/sh",
    args: [
      "-c",
      `ulimit -n ${files} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`,
      "sh",
      command.command,
      ...command.args,
    ],
  };
}

async function startPair(
  contender: Contender,
  entry: string,
  files: number,
): Promise<{ server: BenchChild; client: BenchChild }> {
  const s = withFileLimit(contender.server({ entry, flags: NODE_FLAGS }), files);
  const server = new BenchChild(`${contender.id} server`, s.command, s.args, BENCH_DIR);
  const { port } = await server.ready();
  const c = withFileLimit(contender.client(port as number, { entry, flags: NODE_FLAGS }), files);
  const client = new BenchChild(`${contender.id} client`, c.command, c.args, BENCH_DIR);
  try {
    await client.ready();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, client };
}

/** Runs `body` against a fresh server/client pair of each contender, one contender at a time. */
async function eachContender<R extends { contender: string }>(
  ids: string,
  body: (pair: { server: BenchChild; client: BenchChild }, contender: Contender) => Promise<R>,
  log: (line: string) => void,
  files: number,
): Promise<(R | { contender: string; status: "not installed" | "failed"; reason: string })[]> {
  const results = [];
  const build = await buildChildren();
  try {
    for (const contender of selectContenders(ids)) {
      const unavailable = await contender.availability();
      if (unavailable !== null) {
        results.push({
          contender: contender.id,
          status: "not installed" as const,
          reason: unavailable,
        });
        continue;
      }
      let pair: { server: BenchChild; client: BenchChild } | undefined;
      try {
        const failure = build.failures.get(contender.id);
        if (failure !== undefined) throw new Error(`does not compile: ${failure}`);
        pair = await startPair(contender, build.entries.get(contender.id) ?? "", files);
        results.push(await body(pair, contender));
      } catch (error) {
        const reason = (error as Error).message.split("\n")[0]!;
        log(`${contender.id}: FAILED ${(error as Error).message}`);
        results.push({ contender: contender.id, status: "failed" as const, reason });
      } finally {
        await Promise.all([pair?.client.stop(), pair?.server.stop()]);
      }
    }
  } finally {
    build.dispose();
  }
  return results;
}

const TIMEOUT = 30 * 60_000;

/**
 * Waits until the server holds `count` connections (a client's connect can resolve before the
 * server has accepted). Polls: this is a benchmark, not a test, and there is no event to await
 * across processes. Servers that cannot count are taken at their word.
 */
async function serverSees(server: BenchChild, count: number): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const held = await server.call<number | null>("connections");
    if (held === null || held >= count) return;
    if (performance.now() > deadline)
      throw new Error(`server holds ${held} of ${count} connections after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The netref churn: create and release `churnCount` netrefs per churn contender; report heap
 * growth and whether both tables ended at baseline.
 *
 * @example
 * const [tcp] = await runChurn({ ...MEMORY_DEFAULTS, churnCount: 10_000 }, console.error);
 */
export function runChurn(
  options: MemoryOptions,
  log: (line: string) => void,
): Promise<ChurnResult[]> {
  return eachContender(
    options.churnContenders,
    async ({ server, client }, contender) => {
      // Warm up the code paths (and their lazily allocated structures) before the baseline.
      await client.call(
        "churn",
        { count: Math.min(10_000, options.churnCount), batch: options.churnBatch },
        TIMEOUT,
      );
      const before = {
        client: await client.call<Memory>("mem"),
        server: await server.call<Memory>("mem"),
        clientTables: await client.call("tables"),
        serverTables: await server.call("tables"),
      };
      log(`${contender.id}: churning ${options.churnCount} netrefs…`);
      const start = performance.now();
      await client.call("churn", { count: options.churnCount, batch: options.churnBatch }, TIMEOUT);
      const seconds = (performance.now() - start) / 1000;
      const after = {
        client: await client.call<Memory>("mem"),
        server: await server.call<Memory>("mem"),
        clientTables: await client.call("tables"),
        serverTables: await server.call("tables"),
      };
      const atBaseline =
        JSON.stringify(after.clientTables) === JSON.stringify(before.clientTables) &&
        JSON.stringify(after.serverTables) === JSON.stringify(before.serverTables);
      log(`${contender.id}: ${seconds.toFixed(1)} s, tables at baseline: ${atBaseline}`);
      // Pipelined chains (workload f): the intermediate results must not pile up in the tables.
      await client.call(
        "measure",
        { workload: "f", durationMs: 3_600_000, maxOps: options.chainCount },
        TIMEOUT,
      );
      const afterChains = {
        client: await client.call<Record<string, number> | null>("tables"),
        server: await server.call<Record<string, number> | null>("tables"),
      };
      return {
        contender: contender.id,
        status: "ok" as const,
        netrefs: options.churnCount,
        seconds,
        clientHeapGrowth: after.client.heapUsed - before.client.heapUsed,
        serverHeapGrowth: after.server.heapUsed - before.server.heapUsed,
        clientTables: { before: before.clientTables, after: after.clientTables },
        serverTables: { before: before.serverTables, after: after.serverTables },
        atBaseline,
        chains: options.chainCount,
        afterChains,
      };
    },
    log,
    FILE_LIMIT_SLACK,
  );
}

/**
 * Idle cost per connection: hold `connections` connections from one client process to one
 * server process and report memory per connection on each side.
 *
 * @example
 * const results = await runIdle({ ...MEMORY_DEFAULTS, connections: 500 }, console.error);
 */
export function runIdle(
  options: MemoryOptions,
  log: (line: string) => void,
): Promise<IdleResult[]> {
  return eachContender(
    options.idleContenders,
    async ({ server, client }, contender) => {
      const open = (count: number) =>
        client.call("open", { count, concurrency: options.connectConcurrency }, TIMEOUT);
      // Warm-up: the first connections pay for lazily loaded code and pools, not per connection.
      await open(Math.min(100, options.connections));
      await client.call("closeExtra", {}, TIMEOUT);
      const server0 = await server.call<Memory>("mem");
      const client0 = await client.call<Memory>("mem");
      log(`${contender.id}: opening ${options.connections} connections…`);
      await open(options.connections);
      await serverSees(server, options.connections + 1);
      const server1 = await server.call<Memory>("mem");
      const client1 = await client.call<Memory>("mem");
      await client.call("closeExtra", {}, TIMEOUT);
      const n = options.connections;
      return {
        contender: contender.id,
        status: "ok" as const,
        connections: n,
        serverHeapPerConnection: (server1.heapUsed - server0.heapUsed) / n,
        serverRssPerConnection: (server1.rss - server0.rss) / n,
        clientHeapPerConnection: (client1.heapUsed - client0.heapUsed) / n,
        clientRssPerConnection: (client1.rss - client0.rss) / n,
      };
    },
    log,
    options.connections + FILE_LIMIT_SLACK,
  );
}
