/**
 * Test helper: runs the `rpyc` command (bin/rpyc.js, from source as on a fresh clone) as a real
 * child process, with piped stdio or inside a pseudo-terminal (python3's `pty` module: no
 * native npm dependency). Children still running when the file ends are killed, so a failing
 * test leaves no process behind.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, vi } from "vitest";

export const RPYC_BIN = fileURLToPath(new URL("../bin/rpyc.js", import.meta.url));
const PTY_HELPER = fileURLToPath(new URL("./pty-run.py", import.meta.url));

export interface RunningRpyc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** Resolves once stdout matches `pattern` (fails if the command exits first). */
  waitFor(pattern: RegExp | string, from?: number): Promise<void>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function track(child: ChildProcessWithoutNullStreams): RunningRpyc {
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    waitFor: (pattern, from = 0) =>
      vi.waitFor(
        () => {
          const text = stdout.slice(from);
          const found = typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
          if (found) return;
          if (child.exitCode !== null)
            throw new Error(`exited ${child.exitCode}: ${stdout}${stderr}`);
          throw new Error(`waiting for ${String(pattern)} in: ${JSON.stringify(text)}`);
        },
        { timeout: 45_000, interval: 20 },
      ),
  };
}

/** The environment of every run: no token, no history unless a test asks for them. */
function envOf(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, RPYC_TOKEN: "", RPYC_REPL_HISTORY: "", NO_COLOR: "1", ...env };
}

/** Starts `rpyc ...args` with piped stdin/stdout/stderr. */
export function runRpyc(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningRpyc {
  return track(spawn(process.execPath, [RPYC_BIN, ...args], { stdio: "pipe", env: envOf(env) }));
}

/**
 * Starts `rpyc ...args` on a pseudo-terminal (80 columns). Write keystrokes to `child.stdin`;
 * the terminal's output (echo included) is `out()`.
 */
export function runRpycInPty(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningRpyc {
  return track(
    spawn("python3", [PTY_HELPER, process.execPath, RPYC_BIN, ...args], {
      stdio: "pipe",
      env: envOf(env),
    }),
  );
}
