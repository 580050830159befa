import { randomFillSync } from "node:crypto";
import { ECHO_BYTES, type WorkloadId } from "./workloads.ts";

/**
 * The client half of a contender, living in the client process. `ops[w]` performs ONE op of
 * workload `w` and checks its result (a wrong answer throws, so a broken contender cannot post a
 * fast number). Workload (b) reuses `ops.a` with calls kept in flight.
 */
export interface ClientDriver {
  readonly ops: Partial<Record<Exclude<WorkloadId, "b">, () => Promise<void>>>;
  /** Why a workload has no op, e.g. "no remote objects". */
  readonly unsupported?: Partial<Record<WorkloadId, string>>;
  /**
   * Memory run only (rpyc-ts): creates `count` netrefs across the wire, `batch` at a time, and
   * releases every one of them. Resolves once all releases were sent.
   */
  churn?(count: number, batch: number): Promise<void>;
  /** Memory run only: this side's reference tables (rpyc-ts `conn.stats()`). */
  tables?(): Record<string, number>;
  close(): Promise<void>;
}

/** The server half of a contender, living in the server process. */
export interface BenchServer {
  readonly port: number;
  /** Memory run only: connections the server holds right now. */
  connections?(): number;
  /** Memory run only: reference tables summed over the server's live connections. */
  tables?(): Record<string, number>;
  close(): Promise<void>;
}

/** What a contender module (`src/contenders/<id>.ts`) exports. */
export interface ContenderModule {
  startServer(): Promise<BenchServer>;
  connectClient(port: number): Promise<ClientDriver>;
}

/** The values every contender's server answers with, checked by its client. */
export const EXPECTED = {
  add: 3,
  /** `root.value` */
  value: 42,
  /** `root.make().next().value`: make() yields a Thing at 1, next() adds 1. */
  chain: 2,
  /** `root.callMe(fn)` returns what `fn()` returned plus 1; fn returns 7. */
  callback: 8,
  callbackArg: 7,
} as const;

/** Throws when an op returned something else than expected (a bug, never a timing matter). */
export function check(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}

/** Throws unless `echoed` holds exactly the bytes of `sent` (checks length and samples). */
export function checkEcho(sent: Uint8Array, echoed: unknown): void {
  if (!(echoed instanceof Uint8Array) || echoed.byteLength !== sent.byteLength) {
    throw new Error(`echo: expected ${sent.byteLength} bytes back`);
  }
  const n = sent.byteLength;
  for (const i of [0, 1, n >>> 1, n - 2, n - 1]) {
    if (echoed[i] !== sent[i]) throw new Error(`echo: byte ${i} differs`);
  }
}

let payload: Uint8Array | undefined;

/**
 * The random bytes of workload (c): made on first use and shared by every op and connection of
 * the process (the memory run opens thousands of connections that never echo).
 */
export function echoPayload(): Uint8Array {
  payload ??= randomFillSync(new Uint8Array(ECHO_BYTES));
  return payload;
}
