/**
 * The line protocol between the orchestrator and its server/client processes (Node and Python
 * alike). A child writes one JSON object per line to stdout, prefixed with `LINE_PREFIX` so stray
 * output (warnings, library logs) is ignored. The orchestrator writes one JSON command per line
 * to the child's stdin; the child answers each command, in order, with `{ id, ok, value | error }`.
 *
 * Events a child emits unasked: `{ event: "ready", ... }` once it can take commands.
 */
import { createInterface } from "node:readline";

export const LINE_PREFIX = "@@bench ";

export interface Command {
  readonly id: number;
  readonly cmd: string;
  readonly [key: string]: unknown;
}

/** Writes one protocol line to stdout. */
export function emit(message: object): void {
  process.stdout.write(LINE_PREFIX + JSON.stringify(message) + "\n");
}

/**
 * Answers the orchestrator's commands one at a time with `handle`, until stdin ends or the
 * command `exit` arrives (then `onExit` runs and the process exits).
 */
export function serveCommands(
  handle: (command: Command) => Promise<unknown>,
  onExit: () => Promise<void>,
): void {
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  const finish = async (): Promise<void> => {
    try {
      await onExit();
    } finally {
      process.exit(0);
    }
  };
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    const command = JSON.parse(line) as Command;
    queue = queue.then(async () => {
      if (command.cmd === "exit") {
        emit({ id: command.id, ok: true, value: null });
        await finish();
        return;
      }
      try {
        emit({ id: command.id, ok: true, value: (await handle(command)) ?? null });
      } catch (error) {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        emit({ id: command.id, ok: false, error: text });
      }
    });
  });
  // The orchestrator went away: do not linger.
  lines.on("close", () => void queue.then(finish));
}

/** CPU time used by this process so far (user + system), in microseconds. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
