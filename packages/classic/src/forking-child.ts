/**
 * One client of `rpyc-classic -m forking`, in a process of its own: receives its socket and
 * setup from the parent (`forking-server.ts`), serves classic mode on it, exits when it closes.
 * This file is a command entry (bin/rpyc-classic-forked.js), not part of the library API.
 */
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { connectStream } from "@rpyc/core";
import { CLASSIC_SERVER_CONFIG, createClassicService } from "./classic-service.ts";
import { createCliLog } from "./cli-setup.ts";
import type { ForkedConnectionSetup } from "./forking-server.ts";

process.once("message", (setup: ForkedConnectionSetup, socket: Socket | undefined) => {
  if (socket === undefined) process.exit(1);
  void serveOne(setup, socket);
});
// The parent's end: SIGTERM from its close(), or the IPC channel going away when it dies.
process.once("SIGTERM", () => process.exit(0));
process.once("disconnect", () => process.exit(0));

async function serveOne(setup: ForkedConnectionSetup, raw: Socket): Promise<void> {
  const log = createCliLog(setup);
  const socket =
    setup.tls === undefined
      ? raw
      : new TLSSocket(raw, {
          isServer: true,
          key: setup.tls.key,
          cert: setup.tls.cert,
          ca: setup.tls.ca,
          requestCert: setup.tls.ca !== undefined,
          rejectUnauthorized: setup.tls.ca !== undefined,
        });
  const service = createClassicService({
    token: setup.token,
    audit: log.audit,
    describePeer: () => setup.peer,
  });
  try {
    const connection = connectStream(socket, { service, config: CLASSIC_SERVER_CONFIG });
    raw.resume();
    const conn = await connection;
    if (!conn.closed) await new Promise<void>((resolve) => conn.on("close", () => resolve()));
  } catch (error) {
    log.info(`connection from ${setup.peer} failed: ${(error as Error).message}`);
  } finally {
    socket.destroy();
    await log.close();
    process.exit(0);
  }
}
