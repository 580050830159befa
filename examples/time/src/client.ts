/**
 * The time client, after RPyC's demos/time/client.py: asks the server for the time, then
 * subscribes to a few ticks and cancels. `runTimeClient` is the part worth reading; the bottom of
 * the file is the command line: `pnpm client --port 18861`, or
 * `pnpm client --registry udp:127.0.0.1` to find the server by its service name, "TIME", like
 * RPyC's `connect_by_service`.
 */
import { release, type Remote } from "@rpyc/core";
import { connectByService } from "@rpyc/registry";
import { connect } from "@rpyc/transport-tcp";
import { parseArgs } from "node:util";
import { isMain } from "./is-main.ts";
import { registryClientFor } from "./registry-address.ts";
import type { Tick, TimeService } from "./time-service.ts";

export interface TimeClientOptions {
  /** How many ticks to wait for before cancelling. Default 3. */
  ticks?: number;
  /** Tick interval asked of the server, in ms. Default 500. */
  intervalMs?: number;
  /** Where the lines go. Default `console.log`. */
  print?: (line: string) => void;
}

/** What the client saw, for callers that want more than the printed lines. */
export interface TimeClientResult {
  time: string;
  utc: number;
  ticks: Tick[];
}

/**
 * Talks to a time service: one call for the time, one for UTC, then a subscription whose
 * callback (a plain local function, passed by reference) runs here each time the server calls it.
 *
 * @example
 * const conn = await connect("127.0.0.1", 18861);
 * await runTimeClient(conn.root as Remote<TimeService>, { ticks: 3 });
 * await conn.close();
 */
export async function runTimeClient(
  root: Remote<TimeService>,
  options: TimeClientOptions = {},
): Promise<TimeClientResult> {
  const { ticks: wanted = 3, intervalMs = 500, print = console.log } = options;
  const time = await root.getTime();
  const utc = await root.getUtc();
  print(`the server's time is ${time} (${new Date(utc).toISOString()})`);

  const ticks: Tick[] = [];
  let enough!: () => void;
  const gotEnough = new Promise<void>((resolve) => (enough = resolve));
  // This function stays here; the server receives a reference and calls it over the wire.
  const onTick = (tick: Tick) => {
    if (ticks.length >= wanted) return; // a tick already in flight when we cancel
    ticks.push(tick);
    print(`tick ${tick.seq}: ${tick.time}`);
    if (ticks.length === wanted) enough();
  };
  print(`subscribing to a tick every ${intervalMs} ms…`);
  const subscription = await root.subscribe(intervalMs, onTick);
  await gotEnough;
  await subscription.cancel();
  release(subscription);
  print(`cancelled the subscription after ${ticks.length} ticks`);
  return { time, utc, ticks };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "18861" },
      ticks: { type: "string", default: "3" },
      interval: { type: "string", default: "1000" },
      registry: { type: "string" },
    },
  });
  const conn =
    values.registry === undefined
      ? await connect(values.host, Number(values.port))
      : await connectByService("TIME", {
          registry: registryClientFor(values.registry),
          connect: (host, port) => connect(host, port),
        });
  try {
    await runTimeClient(conn.root as Remote<TimeService>, {
      ticks: Number(values.ticks),
      intervalMs: Number(values.interval),
    });
  } finally {
    await conn.close();
  }
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`time client: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
