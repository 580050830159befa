/**
 * The `rpyc` REPL: Node's REPL (top-level `await`, `_`, multi-line input) on an open target,
 * with the target's names in scope (repl-scope.ts), results awaited before printing
 * (await-eval.ts), netrefs printed as `<netref #3 of BANK>` (display.ts), remote Tab
 * completion (complete.ts), the commands `.stats`, `.close` and `.connect URL`, and history
 * kept between sessions. It owns the connection: leaving the REPL closes it.
 */
import { start, type REPLServer } from "node:repl";
import { homedir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { awaitResults, evaluateIn } from "./await-eval.ts";
import { completeMember } from "./complete.ts";
import { createWriter } from "./display.ts";
import { createLineGate, type LineGate } from "./line-gate.ts";
import type { OpenedTarget } from "./open-target.ts";
import { defineScope, scopeOf } from "./repl-scope.ts";
import { settledStats } from "./settled-stats.ts";
import { describeTarget } from "./target.ts";

/** Options of `startRpycRepl`. */
export interface RpycReplOptions {
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Opens what `.connect <args>` names (the command line's parser and options). */
  readonly reconnect?: (args: string) => Promise<OpenedTarget>;
  /** The history file; "" keeps none. Default: `historyPath()`. */
  readonly historyFile?: string;
  /** No banner. */
  readonly quiet?: boolean;
}

/**
 * Where history is kept: `RPYC_REPL_HISTORY` if set ("" for none), else `~/.rpyc_repl_history`.
 *
 * @example
 * historyPath(); // "/home/ada/.rpyc_repl_history"
 */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["RPYC_REPL_HISTORY"];
  return fromEnv !== undefined ? fromEnv.trim() : join(homedir(), ".rpyc_repl_history");
}

/** One line saying what an open target is and what is in scope. */
export function bannerOf(opened: OpenedTarget): string {
  const where = describeTarget(opened.target);
  const service = opened.conn.peerService || "a peer";
  const names =
    opened.classic === undefined
      ? "conn, root, keys, obtain, release, inspect, repr"
      : "conn, root, classic, modules, eval, execute, namespace, teleport, upload, download, …";
  return `connected to ${where} (${service}${opened.classic === undefined ? "" : ", classic mode"}); in scope: ${names}`;
}

/**
 * Creates a REPL server with rpyc's evaluation, display and completion, on `input`/`output`
 * (no terminal features when `terminal` is false). The caller defines the scope.
 */
function createServer(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream & { isTTY?: boolean },
  terminal: boolean,
): REPLServer {
  const server = start({
    input,
    output,
    terminal,
    prompt: "rpyc> ",
    // No eager evaluation while typing: previews would send operations to the peer.
    preview: false,
    writer: createWriter({
      colors: terminal && output.isTTY === true && process.env["NO_COLOR"] === undefined,
    }),
    ignoreUndefined: false,
  });
  awaitResults(server);
  // Node's completer (plain names, commands) takes (line, callback) on the REPL server.
  const nodeCompleter = server.completer as unknown as (
    line: string,
    callback: (error: Error | null, result?: [string[], string]) => void,
  ) => void;
  const context = server.context as Record<string, unknown>;
  const modules = (): object | undefined => {
    const value = Object.getOwnPropertyDescriptor(context, "modules")?.value as unknown;
    return typeof value === "object" && value !== null ? value : undefined;
  };
  (server as { completer: unknown }).completer = (
    line: string,
    callback: (error: Error | null, result?: [string[], string]) => void,
  ): void => {
    completeMember(line, {
      lookup: (name) =>
        name in context ? { found: true, value: context[name] } : { found: false },
      modules: modules(),
    }).then(
      (result) =>
        result === undefined ? nodeCompleter.call(server, line, callback) : callback(null, result),
      (error: unknown) => callback(error as Error),
    );
  };
  return server;
}

/**
 * Runs the REPL on `opened` until the user leaves it (`.exit`, Ctrl+D, end of piped input);
 * then closes the connection.
 *
 * @example
 * await startRpycRepl(await openTarget(parseTarget("tcp://127.0.0.1:18812"), { token }));
 */
export async function startRpycRepl(
  opened: OpenedTarget,
  options: RpycReplOptions = {},
): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal = input.isTTY === true && output.isTTY === true;
  const say = (line: string): void => void output.write(`${line}\n`);
  if (options.quiet !== true) say(bannerOf(opened));
  const gate: LineGate | undefined = terminal ? undefined : createLineGate(input as never);
  const server = createServer(gate?.stream ?? input, output, terminal);
  if (gate !== undefined) {
    // The prompt is shown once the previous line is done: let the next one through.
    const displayPrompt = server.displayPrompt.bind(server);
    server.displayPrompt = (preserveCursor?: boolean) => {
      displayPrompt(preserveCursor);
      gate.ready();
    };
    gate.ready();
  }
  let current: OpenedTarget | undefined;

  const use = (next: OpenedTarget): void => {
    current = next;
    defineScope(server.context, scopeOf(next, output));
    next.conn.on("close", (error) => {
      if (current !== next) return;
      current = undefined;
      say(
        `\nconnection to ${describeTarget(next.target)} closed${error === undefined ? "" : `: ${error.message}`} (.connect URL opens another)`,
      );
      if (terminal) server.displayPrompt(true);
    });
  };
  const closeCurrent = async (): Promise<void> => {
    const closing = current;
    current = undefined;
    if (closing !== undefined && !closing.conn.closed) await closing.conn.close();
  };

  server.defineCommand("stats", {
    help: "Show the connection's tables (exported, imported, pending, held, heldByPeer)",
    action() {
      if (current === undefined) {
        say("not connected (.connect URL)");
        return server.displayPrompt();
      }
      void settledStats(current.conn).then((stats) => {
        say(createWriter({ colors: false })(stats));
        server.displayPrompt();
      });
    },
  });
  server.defineCommand("close", {
    help: "Close the connection (the REPL stays; .connect URL opens another)",
    action() {
      const was = current;
      void closeCurrent().then(() => {
        say(was === undefined ? "not connected" : `closed ${describeTarget(was.target)}`);
        server.displayPrompt();
      });
    },
  });
  server.defineCommand("connect", {
    help: "Connect elsewhere: .connect URL [--classic] [--token T] (closes the current one)",
    action(args: string) {
      const reconnect = options.reconnect;
      const attempt =
        reconnect === undefined
          ? Promise.reject(new Error(".connect is not available here"))
          : reconnect(args.trim());
      void attempt
        .then(async (next) => {
          await closeCurrent();
          use(next);
          say(bannerOf(next));
        })
        .catch((error: unknown) => say(`rpyc: ${(error as Error).message}`))
        .finally(() => server.displayPrompt());
    },
  });

  const history = options.historyFile ?? historyPath();
  if (terminal && history !== "") {
    await new Promise<void>((resolve) =>
      server.setupHistory(history, (error) => {
        if (error !== null) say(`rpyc: history not kept (${error.message})`);
        resolve();
      }),
    );
  }

  use(opened); // (the REPL showed its first prompt as it started)
  await new Promise<void>((resolve) => server.once("exit", resolve));
  gate?.close();
  await closeCurrent();
}

/**
 * Evaluates `source` on `opened` as one REPL line (top-level await; a promise's value awaited)
 * and resolves with the value, or rejects with what it threw. Leaves the connection open.
 *
 * @example
 * console.log(await evaluateOn(opened, "await root.add(1, 2)")); // 3
 */
export async function evaluateOn(opened: OpenedTarget, source: string): Promise<unknown> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const input = new PassThrough();
  const server = createServer(input, sink, false);
  defineScope(server.context, scopeOf(opened, process.stderr));
  try {
    return await evaluateIn(server, source);
  } finally {
    server.close();
    input.end();
  }
}
