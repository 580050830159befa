/**
 * `.stats` as a leak check wants it: the connection's tables after a full garbage collection,
 * so pipelined intermediates nobody can reach any more (held by the peer until this side's
 * remote promises are collected; docs/netrefs.md) are counted out rather than shown as leaks.
 */
import type { Connection, ConnectionStats } from "@rpyc/core";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined;

function collectGarbage(): void {
  // NOTE: V8 allows exposing gc after start-up; the function comes from a fresh context.
  if (collect === undefined) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `conn.stats()` once collected garbage has been finalized (a few turns of the event loop).
 *
 * @example
 * console.log(await settledStats(conn)); // { exported: 0, imported: 0, … }
 */
export async function settledStats(conn: Connection): Promise<ConnectionStats> {
  for (let round = 0; round < 3; round++) {
    collectGarbage();
    await nextTurn();
  }
  return conn.stats();
}
