/**
 * One factory per transport, for the conformance suite: each starts what it needs once
 * (`setup`), opens a fresh client connection to a `ConformanceService` per test (`connect`), and
 * stops everything in `teardown`. The client side always serves `ClientService`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { vi } from "vitest";
import { connectPair, connectPort, type Connection, type PortLike } from "@rpyc/core";
import * as tcp from "@rpyc/transport-tcp";
import { childOf, connectSubprocess } from "@rpyc/transport-stdio";
import { connect as connectWs } from "@rpyc/transport-ws/node";
import { serve as serveWs, type WsServer } from "@rpyc/transport-ws/server";
import { createTestCertificates, type TestCertificates } from "./certificates.ts";
import { ClientService, ConformanceService } from "./conformance-service.ts";

export interface TransportFactory {
  readonly name: string;
  setup(): Promise<void>;
  connect(): Promise<Connection>;
  /** Resolves once nothing of a closed client connection is left (sockets, child process). */
  released(client: Connection): Promise<void>;
  teardown(): Promise<void>;
}

/** Waits (events and polling by `vi.waitFor`, no sleeps) until `check` passes. */
async function until(check: () => boolean, what: string): Promise<void> {
  await vi.waitFor(
    () => {
      if (!check()) throw new Error(`still waiting: ${what}`);
    },
    { timeout: 5000 },
  );
}

const clientOptions = { service: ClientService } as const;

function memory(): TransportFactory {
  const servers: Connection[] = [];
  return {
    name: "memory",
    async setup() {},
    async connect() {
      const [client, server] = await connectPair(clientOptions, { service: ConformanceService });
      servers.push(server);
      return client;
    },
    async released() {
      await until(() => servers.every((server) => server.closed), "the server side to close");
    },
    async teardown() {
      await Promise.all(servers.splice(0).map((server) => server.close()));
    },
  };
}

/** The two ends of a MessageChannel (Node's, the same API as the browser's). */
function messagePort(): TransportFactory {
  const servers: Connection[] = [];
  return {
    name: "message-port",
    async setup() {},
    async connect() {
      const { port1, port2 } = new MessageChannel();
      const server = connectPort(port2 as unknown as PortLike, { service: ConformanceService });
      const client = await connectPort(port1 as unknown as PortLike, clientOptions);
      servers.push(await server);
      return client;
    },
    async released() {
      await until(() => servers.every((server) => server.closed), "the server side to close");
    },
    async teardown() {
      await Promise.all(servers.splice(0).map((server) => server.close()));
    },
  };
}

function tcpFactory(name: string, variant: "plain" | "tls" | "unix"): TransportFactory {
  let server: tcp.Server | undefined;
  let certs: TestCertificates | undefined;
  let dir: string | undefined;
  return {
    name,
    async setup() {
      if (variant === "tls") {
        certs = await createTestCertificates();
        server = await tcp.serve(ConformanceService, { tls: certs.server });
      } else if (variant === "unix") {
        dir = await mkdtemp(join(tmpdir(), "rpyc-conformance-"));
        server = await tcp.serve(ConformanceService, { path: join(dir, "rpyc.sock") });
      } else {
        server = await tcp.serve(ConformanceService);
      }
    },
    connect() {
      if (variant === "unix") return tcp.connectUnix(server!.path!, clientOptions);
      if (variant === "tls")
        return tcp.connect("localhost", server!.port, { ...clientOptions, tls: { ca: certs!.ca } });
      return tcp.connect("127.0.0.1", server!.port, clientOptions);
    },
    async released() {
      await until(() => server!.socketCount === 0, "the server's sockets to close");
    },
    async teardown() {
      await server?.close({ timeout: 0 });
      await certs?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function ws(): TransportFactory {
  let server: WsServer | undefined;
  return {
    name: "ws",
    async setup() {
      server = await serveWs(ConformanceService, { path: "/rpyc" });
    },
    connect: () => connectWs(server!.url, clientOptions),
    async released() {
      await until(() => server!.socketCount === 0, "the server's WebSockets to close");
    },
    async teardown() {
      await server?.close({ timeout: 0 });
    },
  };
}

const STDIO_SERVER = fileURLToPath(new URL("../fixtures/stdio-server.ts", import.meta.url));

function stdio(): TransportFactory {
  return {
    name: "stdio",
    async setup() {},
    connect: () =>
      connectSubprocess(
        process.execPath,
        ["--conditions=@rpyc/source", "--import", "tsx", STDIO_SERVER],
        {
          ...clientOptions,
          stderr: "inherit",
        },
      ),
    async released(client) {
      const child = childOf(client)!;
      if (child.exitCode === null && child.signalCode === null) await once(child, "close");
      if (child.exitCode !== 0) {
        throw new Error(`the stdio server exited with ${child.exitCode ?? child.signalCode}`);
      }
    },
    async teardown() {},
  };
}

/** Every transport the conformance suite runs over. */
export function transportFactories(): TransportFactory[] {
  return [
    memory(),
    messagePort(),
    tcpFactory("tcp", "plain"),
    tcpFactory("tcp+tls", "tls"),
    tcpFactory("unix", "unix"),
    ws(),
    stdio(),
  ];
}
