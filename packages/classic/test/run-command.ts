/**
 * Test helper: runs `rpyc-classic` (bin/rpyc-classic.js, from source on a fresh clone) as a
 * real child process, collecting its output. Children still running when the file ends are
 * killed (a failing test must not leave a server behind).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { afterAll, vi } from "vitest";
import { classicCommandPath } from "../src/index.ts";

export interface RunningCommand {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Starts `rpyc-classic ...args`. */
export function runClassic(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCommand {
  const child = spawn(process.execPath, [classicCommandPath(), ...args], {
    stdio: "pipe",
    env: { ...process.env, RPYC_TOKEN: "", ...env },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** Waits for the "classic server (mode) on host:port" line; returns the port. */
export function listeningPort(command: RunningCommand): Promise<number> {
  return vi.waitFor(
    () => {
      const match = /classic server \(\w+\) on [^\s]+:(\d+)/.exec(command.err());
      if (match === null) {
        if (command.child.exitCode !== null) throw new Error(`exited: ${command.err()}`);
        throw new Error(`not listening yet: ${command.err()}`);
      }
      return Number(match[1]);
    },
    { timeout: 45_000, interval: 20 },
  );
}
