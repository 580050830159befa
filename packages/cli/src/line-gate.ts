/**
 * Feeds piped input to the REPL one line at a time. Node's REPL reads every line of a chunk at
 * once and starts evaluating the next line before an asynchronous one finished, so a script
 * piped into it prints its results out of order. The gate holds each line until the REPL shows
 * its prompt again (`ready()`), then passes the next; when the input ends and every line has
 * been taken, it ends the REPL's input (so the REPL exits as Node's does at end of input).
 */
import { PassThrough, type Readable } from "node:stream";
import { createInterface } from "node:readline";

/** The gate: the stream the REPL reads, and the call that lets the next line through. */
export interface LineGate {
  readonly stream: PassThrough;
  /** The REPL is waiting for input again. */
  ready(): void;
  /** Stops reading the source (the REPL exited first). */
  close(): void;
}

/**
 * A gate over `source` (e.g. a piped process.stdin).
 *
 * @example
 * const gate = createLineGate(process.stdin);
 * const server = repl.start({ input: gate.stream, terminal: false });
 */
export function createLineGate(source: Readable): LineGate {
  const stream = new PassThrough();
  const lines: string[] = [];
  let waiting = false; // the REPL is ready and nothing was passed since
  let ended = false;
  const reader = createInterface({ input: source, crlfDelay: Infinity, terminal: false });
  const pump = (): void => {
    if (!waiting) return;
    const line = lines.shift();
    if (line !== undefined) {
      waiting = false;
      stream.write(`${line}\n`);
    } else if (ended && !stream.writableEnded) {
      stream.end();
    }
  };
  reader.on("line", (line) => {
    lines.push(line);
    pump();
  });
  reader.on("close", () => {
    ended = true;
    pump();
  });
  return {
    stream,
    ready() {
      waiting = true;
      pump();
    },
    close() {
      ended = true;
      lines.length = 0;
      reader.close();
    },
  };
}
