/**
 * The body of every Node server and client process. build-children.ts compiles one bundle per
 * contender whose entry calls `runChild(<the contender module>, argv)` with
 *   argv = ["server"] | ["client", <port>]
 * It emits `ready`, then answers the orchestrator's commands (see `child-protocol.ts`).
 */
import type { ClientDriver, ContenderModule } from "./driver.ts";
import { cpuMicros, emit, serveCommands, type Command } from "./child-protocol.ts";
import { measure } from "./measure.ts";
import { WORKLOADS, WORKLOAD_IDS, type WorkloadId } from "./workloads.ts";

/** Monotonic µs, the clock V8's CPU profiles use (profile-summary.ts skips start-up with it). */
function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Heap after a full GC when `--expose-gc` is on (the churn and idle runs use it). */
function memory(): { heapUsed: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}

/** Runs one server or client process for `contenderModule` (see the file header). */
export async function runChild(
  contenderModule: ContenderModule,
  argv: readonly string[],
): Promise<void> {
  const [role, portText] = argv;
  if (role === "server") {
    const server = await contenderModule.startServer();
    serveCommands(
      async (command) => {
        if (command.cmd === "cpu") return cpuMicros();
        if (command.cmd === "mem") return memory();
        if (command.cmd === "tables") return server.tables?.() ?? null;
        if (command.cmd === "connections") return server.connections?.() ?? null;
        throw new Error(`server: unknown command '${command.cmd}'`);
      },
      () => server.close(),
    );
    emit({ event: "ready", port: server.port, readyAtUs: nowMicros() });
  } else if (role === "client") {
    const driver = await contenderModule.connectClient(Number(portText));
    serveCommands(
      (command) => clientCommand(contenderModule, Number(portText), driver, command),
      () => driver.close(),
    );
    emit({ event: "ready", supported: supportTable(driver), readyAtUs: nowMicros() });
  } else {
    throw new Error(`unknown role '${role}'`);
  }
}

/** Workload → null when supported, else the reason it is not. */
function supportTable(driver: ClientDriver): Record<WorkloadId, string | null> {
  const table = {} as Record<WorkloadId, string | null>;
  for (const id of WORKLOAD_IDS) {
    const op = driver.ops[id === "b" ? "a" : id];
    table[id] = op !== undefined ? null : (driver.unsupported?.[id] ?? "unsupported");
  }
  return table;
}

/** Extra idle connections opened by the `open` command (memory run). */
const extra: ClientDriver[] = [];

async function clientCommand(
  contenderModule: ContenderModule,
  port: number,
  driver: ClientDriver,
  command: Command,
): Promise<unknown> {
  if (command.cmd === "mem") return memory();
  if (command.cmd === "tables") return driver.tables?.() ?? null;
  if (command.cmd === "churn") {
    if (driver.churn === undefined) throw new Error("this contender has no churn run");
    await driver.churn(command.count as number, command.batch as number);
    return null;
  }
  if (command.cmd === "open") {
    // `concurrency` connects at a time, so the server's accept backlog never overflows.
    const count = command.count as number;
    const concurrency = command.concurrency as number;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++;
        extra.push(await contenderModule.connectClient(port));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return extra.length;
  }
  if (command.cmd === "closeExtra") {
    await Promise.all(extra.splice(0).map((d) => d.close()));
    return null;
  }
  if (command.cmd !== "warmup" && command.cmd !== "measure") {
    throw new Error(`client: unknown command '${command.cmd}'`);
  }
  const workload = WORKLOADS[command.workload as WorkloadId];
  const op = driver.ops[workload.id === "b" ? "a" : workload.id];
  if (op === undefined) throw new Error(`workload ${workload.id} is unsupported`);
  return measure(op, {
    inFlight: workload.inFlight,
    durationMs: command.durationMs as number,
    maxOps: command.maxOps as number,
  });
}
