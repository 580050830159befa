/**
 * Saying why a child failed to connect: what it printed instead of rpyc frames, or how it
 * exited (code or signal) with the end of its stderr, instead of a bare "connection closed".
 */
import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { SubprocessError } from "./errors.ts";

/** How much of the child's stderr is kept for error messages: its last 2 KiB. */
export const STDERR_TAIL_BYTES = 2048;

/**
 * The last `STDERR_TAIL_BYTES` of a stream, kept as it flows (the bytes are also passed on to
 * `forward`, e.g. our own stderr, so the child's output still shows).
 *
 * @example
 * const tail = new StderrTail(child.stderr!, process.stderr);
 * tail.text(); // "Error: cannot find module …"
 */
export class StderrTail {
  #tail = Buffer.alloc(0);

  constructor(input: Readable, forward: NodeJS.WritableStream) {
    input.on("data", (chunk: Buffer) => {
      forward.write(chunk);
      const joined = Buffer.concat([this.#tail, chunk]);
      this.#tail = joined.subarray(Math.max(0, joined.byteLength - STDERR_TAIL_BYTES));
    });
  }

  text(): string {
    return this.#tail.toString("utf8").trimEnd();
  }
}

/**
 * `error` (why the handshake with `command` failed) as the error that names the cause: bytes
 * that are not rpyc-ts on the child's stdout, or the child's exit; else `error` itself.
 *
 * @example
 * throw childFailure("node", error, child, tail);
 */
export function childFailure(
  command: string,
  error: unknown,
  child: ChildProcess,
  tail: StderrTail | undefined,
): unknown {
  if (error instanceof SubprocessError) return error; // it did not start: already said
  const code = (error as { code?: unknown }).code;
  if (code === "RPYC_ERR_NOT_RPYC") {
    return new SubprocessError(
      "RPYC_ERR_NOT_RPYC",
      `${command} wrote something that is not rpyc-ts to its stdout (${(error as Error).message}); ` +
        "a stdio server must keep stdout for rpyc frames and log to stderr",
      { cause: error },
    );
  }
  if (child.exitCode === null && child.signalCode === null) return error;
  const how =
    child.exitCode === null
      ? `was killed by ${child.signalCode}`
      : `exited with code ${child.exitCode}`;
  const stderr = tail?.text();
  return new SubprocessError(
    "RPYC_ERR_SUBPROCESS_EXITED",
    `${command} ${how} before the rpyc handshake finished` +
      (stderr ? `; the end of its stderr:\n${stderr}` : " (nothing on its stderr)"),
    { cause: error },
  );
}
