/**
 * `connectSubprocess()`: spawn a program that serves rpyc-ts on its stdio (`serveStdio`) and
 * connect to it (RPyC's `connect_subproc`). The child belongs to the connection: closing the
 * connection ends the child's stdin; a child that does not exit within `terminateAfterMs` gets
 * SIGTERM, then SIGKILL after `killAfterMs`. The connection's close completes once the child
 * has exited (no zombie, no timer left behind).
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import {
  connectTransport,
  createStreamTransport,
  streamOptionsOf,
  type Connection,
  type ConnectOptions,
  type StreamBounds,
} from "@rpyc/core";
import { childFailure, StderrTail } from "./child-failure.ts";
import { SubprocessError } from "./errors.ts";
import { PipeDuplex } from "./pipe-duplex.ts";

/**
 * Options of `connectSubprocess()`: core's connection options plus the child's.
 *
 * @example
 * await connectSubprocess("node", ["server.js"], { stderr: "ignore", terminateAfterMs: 500 });
 */
export interface ConnectSubprocessOptions extends ConnectOptions, StreamBounds {
  /**
   * The child's stderr: "inherit" (passed on to ours, default; its end is quoted when the child
   * exits before the handshake), "ignore", or "pipe" (read it from `childOf(conn).stderr`).
   */
  readonly stderr?: "inherit" | "ignore" | "pipe";
  /** Working directory and environment of the child (default: ours). */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** After the connection closes, how long the child may take to exit before SIGTERM. Default 2000 ms. */
  readonly terminateAfterMs?: number;
  /** After SIGTERM, how long before SIGKILL. Default 2000 ms. */
  readonly killAfterMs?: number;
}

/**
 * Default wait for the child to exit on its own after its stdin closed: 2 s.
 *
 * @example
 * await connectSubprocess(cmd, args, { terminateAfterMs: DEFAULT_TERMINATE_AFTER_MS * 2 });
 */
export const DEFAULT_TERMINATE_AFTER_MS = 2000;
/**
 * Default wait between SIGTERM and SIGKILL: 2 s.
 *
 * @example
 * await connectSubprocess(cmd, args, { killAfterMs: DEFAULT_KILL_AFTER_MS / 2 });
 */
export const DEFAULT_KILL_AFTER_MS = 2000;

const children = new WeakMap<Connection, ChildProcess>();

/**
 * Spawns `command args` and connects to the rpyc-ts service it serves on its stdio.
 *
 * @example
 * const conn = await connectSubprocess(process.execPath, ["time-server.js"]);
 * console.log(await conn.root.getTime());
 * await conn.close(); // the child exits
 */
export async function connectSubprocess(
  command: string,
  args: readonly string[] = [],
  options: ConnectSubprocessOptions = {},
): Promise<Connection> {
  const stderr = options.stderr ?? "inherit";
  const spawnOptions: SpawnOptions = {
    // "inherit" is a pipe we pass on ourselves, keeping its tail for error messages.
    stdio: ["pipe", "pipe", stderr === "inherit" ? "pipe" : stderr],
    cwd: options.cwd,
    env: options.env,
  };
  const child = spawn(command, args, spawnOptions);
  const tail = stderr === "inherit" ? new StderrTail(child.stderr!, process.stderr) : undefined;
  const duplex = superviseChild(child, options);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error) =>
      reject(
        new SubprocessError(
          "RPYC_ERR_SPAWN",
          `could not start ${command}: ${error.message} (check the command and its path)`,
          { cause: error },
        ),
      ),
    );
  });
  try {
    await spawned;
    const transport = createStreamTransport(duplex, {
      ...streamOptionsOf(options),
      // The child's own grace periods decide when the pipes are torn down.
      closeTimeoutMs: terminateAfterMs(options) + killAfterMs(options) + 1000,
    });
    const conn = await connectTransport(transport, {
      service: options.service,
      config: options.config,
    });
    children.set(conn, child);
    return conn;
  } catch (error) {
    duplex.destroy();
    throw childFailure(command, error, child, tail);
  }
}

/**
 * The child process behind a connection made by `connectSubprocess` (undefined otherwise).
 *
 * @example
 * const conn = await connectSubprocess("node", ["server.js"]);
 * console.log(childOf(conn)?.pid);
 */
export function childOf(conn: Connection): ChildProcess | undefined {
  return children.get(conn);
}

/** Wires the child's pipes into a duplex whose end/destroy also ends the child. */
function superviseChild(child: ChildProcess, options: ConnectSubprocessOptions): PipeDuplex {
  const terminateAfter = terminateAfterMs(options);
  const killAfter = killAfterMs(options);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let exited = false;
  const signal = (name: NodeJS.Signals, next?: () => void): void => {
    if (exited) return;
    child.kill(name);
    if (next) timer = setTimeout(next, killAfter);
  };
  const terminate = (): void => signal("SIGTERM", () => signal("SIGKILL"));
  const duplex = new PipeDuplex(child.stdout!, child.stdin!, {
    onEnd: () => {
      if (!exited && timer === undefined) timer = setTimeout(terminate, terminateAfter);
    },
    onDestroy: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      terminate();
    },
  });
  // 'close' (not 'exit'): the child is reaped and its stdio is drained.
  child.once("close", () => {
    exited = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    duplex.finished();
  });
  return duplex;
}

function terminateAfterMs(options: ConnectSubprocessOptions): number {
  return options.terminateAfterMs ?? DEFAULT_TERMINATE_AFTER_MS;
}

function killAfterMs(options: ConnectSubprocessOptions): number {
  return options.killAfterMs ?? DEFAULT_KILL_AFTER_MS;
}
