/**
 * `pnpm demo`: the whole time demo in one process. Starts the server on a free port, connects a
 * client over real tcp, asks the time, takes three ticks from a subscription, cancels, closes
 * everything and exits 0 (a non-zero exit means something went wrong, and says what).
 */
import type { Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { runTimeClient } from "./client.ts";
import { startTimeServer } from "./server.ts";
import type { TimeService } from "./time-service.ts";

async function demo(): Promise<void> {
  console.log("rpyc-ts time demo: a server and a client talking over tcp\n");
  const server = await startTimeServer({ port: 0 });
  const host = server.host ?? "127.0.0.1";
  console.log(`[server] TimeService listening on ${host}:${server.port}`);
  const conn = await connect(host, server.port);
  console.log(`[client] connected to ${host}:${server.port}`);
  try {
    await runTimeClient(conn.root as Remote<TimeService>, {
      ticks: 3,
      intervalMs: 400,
      print: (line) => console.log(`[client] ${line}`),
    });
  } finally {
    await conn.close();
    await server.close();
  }
  console.log("[client] connection closed; [server] stopped");
  console.log("\ndone: the server called the client's function back 3 times over one connection.");
}

demo().catch((err: unknown) => {
  console.error(
    `\ntime demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exitCode = 1;
});
