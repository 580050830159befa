/**
 * `redirectStdio` on the server: while at least one client has it active, what the server
 * process writes to `process.stdout` / `process.stderr` (so `console.log` too) goes to those
 * clients instead of the server's console, like RPyC's `redirected_stdio`. The original writers
 * come back when the last redirection ends. The audit log always goes to the real stderr.
 */

/** Receives one write: the stream's name and its text. Called without awaiting (fire and forget). */
export type StdioSink = (stream: "stdout" | "stderr", text: string) => unknown;

type Write = typeof process.stdout.write;

const sinks = new Set<StdioSink>();
let originals: { stdout: Write; stderr: Write } | undefined;

/**
 * Writes `text` to the server's real stderr, bypassing any redirection.
 *
 * @example
 * writeServerStderr("rpyc-classic: eval …\n");
 */
export function writeServerStderr(text: string): void {
  (originals?.stderr ?? process.stderr.write).call(process.stderr, text);
}

/**
 * Starts sending the process's stdout and stderr to `sink`; returns the function that stops it
 * (idempotent). A sink that throws is dropped.
 *
 * @example
 * const stop = redirectProcessStdio((stream, text) => void remoteWrite(stream, text));
 * console.log("to the client");
 * stop();
 */
export function redirectProcessStdio(sink: StdioSink): () => void {
  sinks.add(sink);
  if (originals === undefined) {
    originals = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
  }
  return () => drop(sink);
}

function drop(sink: StdioSink): void {
  if (!sinks.delete(sink) || sinks.size > 0 || originals === undefined) return;
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  originals = undefined;
}

function capture(stream: "stdout" | "stderr"): Write {
  return function write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const text =
      typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encodingOrCallback === "string"
              ? (encodingOrCallback as BufferEncoding)
              : "utf8",
          );
    for (const sink of [...sinks]) {
      try {
        const result = sink(stream, text);
        // A remote sink returns a remote promise: a failed write (client gone) drops the sink.
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
          Promise.resolve(result).catch(() => drop(sink));
        }
      } catch {
        drop(sink);
      }
    }
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  } as Write;
}
