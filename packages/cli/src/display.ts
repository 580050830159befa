/**
 * How the REPL prints a value: `util.inspect` without `showProxy` (Node's REPL default shows a
 * proxy's target and handler; netrefs and remote promises carry their own inspect form, so a
 * netref prints as `<netref #3 of BANK>`, alone or inside any value), coloured on a terminal.
 */
import { inspect } from "node:util";

/** Options of `createWriter`. */
export interface WriterOptions {
  /** ANSI colours (default: off). */
  readonly colors?: boolean;
}

/**
 * The REPL's writer: value → text.
 *
 * @example
 * const write = createWriter({ colors: process.stdout.isTTY });
 * write({ account: conn.root }); // "{ account: <netref root of BANK> }"
 */
export function createWriter(options: WriterOptions = {}): (value: unknown) => string {
  return (value) =>
    inspect(value, {
      colors: options.colors === true,
      showProxy: false,
      customInspect: true,
      depth: 4,
      breakLength: 100,
    });
}
