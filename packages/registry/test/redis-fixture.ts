/**
 * Starts a real, throwaway redis-server for the tests: a Unix socket in a temp dir, no TCP port,
 * no persistence. Fails loudly when redis-server is not installed (CI installs Debian's
 * redis-server); the suite never skips.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

const STARTUP_TIMEOUT_MS = 5000;

export interface RedisFixture {
  readonly socketPath: string;
  /** TCP port on 127.0.0.1, when started with `{ tcp: true }` (0 otherwise). */
  readonly port: number;
  stop(): Promise<void>;
}

/** A port the OS just handed out and released (redis-server cannot listen on port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRedisServer(options: { tcp?: boolean } = {}): Promise<RedisFixture> {
  const dir = await mkdtemp(join(tmpdir(), "rpyc-registry-redis-"));
  const socketPath = join(dir, "redis.sock");
  const port = options.tcp ? await freePort() : 0;
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--unixsocket",
      socketPath,
      "--unixsocketperm",
      "700",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    // Fail-safe, not synchronisation: never leave a half-started redis-server behind a hook timeout.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server was not ready within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(
        new Error(`cannot start redis-server (apt-get install redis-server): ${err.message}`, {
          cause: err,
        }),
      );
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`));
    });
  });
  child.stdout?.resume(); // keep draining its log
  return {
    socketPath,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts one redis-server for the calling test file (beforeAll) and stops it (afterAll). The
 * getter throws the start-up error, so with redis-server missing every Redis test FAILS (a
 * failing hook alone would report the tests as skipped, which a CI summary could miss).
 */
export function useRedisServer(options: { tcp?: boolean } = {}): () => RedisFixture {
  let fixture: RedisFixture | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      fixture = await startRedisServer(options);
    } catch (err) {
      failure = err;
    }
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  return () => {
    if (!fixture) throw failure ?? new Error("redis-server is not started (used outside a test?)");
    return fixture;
  };
}
