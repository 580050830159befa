/**
 * The REPL's evaluation: Node's own (top-level `await`, completion values, recoverable
 * multi-line input), then, when the value is a promise or any thenable — a remote promise
 * above all — awaited before the REPL prints it, so `root.add(1, 2)` prints `3`. Ctrl+C while
 * waiting gives the prompt back (the remote call itself runs on; its result is dropped).
 */
import type { REPLEval, REPLServer } from "node:repl";

/** A thenable, found without calling anything: a netref's `then` is undefined by design. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Wraps `server.eval` so that results are awaited; returns the wrapped function (also
 * installed as `server.eval`).
 *
 * @example
 * const evaluate = awaitResults(repl.start({ preview: false }));
 */
export function awaitResults(server: REPLServer): REPLEval {
  const nodeEval = server.eval;
  const evaluate: REPLEval = function (this: REPLServer, code, context, file, callback) {
    nodeEval.call(server, code, context, file, (error: Error | null, value: unknown) => {
      if (error !== null || !isThenable(value)) return callback(error, value);
      let settled = false;
      const finish = (failure: Error | null, result?: unknown): void => {
        if (settled) return;
        settled = true;
        server.off("SIGINT", interrupt);
        callback(failure, result);
      };
      const interrupt = (): void =>
        finish(new Error("interrupted (the remote call runs on; its result is dropped)"));
      server.on("SIGINT", interrupt);
      Promise.resolve(value).then(
        (result) => finish(null, result),
        (failure: unknown) =>
          finish(failure instanceof Error ? failure : new Error(String(failure))),
      );
    });
  };
  (server as { eval: REPLEval }).eval = evaluate;
  return evaluate;
}

/**
 * Evaluates `source` as a REPL line would be (top-level await, the last expression's value),
 * in `server`'s context. Resolves with the value, or rejects with what it threw.
 *
 * NOTE: Node's REPL does not hand a rejected top-level `await` to the eval callback: it reports
 * it through its domain (printing "Uncaught …" on its output, keeping it as `lastError`), then
 * shows the prompt. So a prompt shown before the callback means that failure.
 *
 * @example
 * const value = await evaluateIn(server, "await root.add(1, 2)"); // 3
 */
export function evaluateIn(server: REPLServer, source: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const displayPrompt = server.displayPrompt;
    const settle = (error: unknown, value?: unknown): void => {
      if (settled) return;
      settled = true;
      server.displayPrompt = displayPrompt;
      if (error === null || error === undefined) resolve(value);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    server.displayPrompt = () =>
      settle((server as { lastError?: unknown }).lastError ?? new Error("evaluation failed"));
    server.eval(`${source}\n`, server.context, "rpyc-eval", (error, value) => settle(error, value));
  });
}
