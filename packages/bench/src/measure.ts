/**
 * The client-side measuring loop: runs one op repeatedly, for a time budget, with a given number
 * of calls in flight, and records each call's latency. Runs inside the client process, so the
 * orchestrator's own work never lands in the numbers.
 */
import { cpuMicros } from "./child-protocol.ts";

export interface MeasureOptions {
  /** Calls in flight (1 = sequential). */
  readonly inFlight: number;
  /** Stop issuing new calls once this much time has passed… */
  readonly durationMs: number;
  /** …or once this many calls were issued, whichever comes first. */
  readonly maxOps: number;
}

/** One measured run, as the client reports it to the orchestrator. */
export interface RunResult {
  readonly ops: number;
  readonly wallUs: number;
  /** This process's CPU time during the run (user + system). */
  readonly clientCpuUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/**
 * Runs `op` until the budget is spent. With `inFlight` > 1, that many loops run concurrently,
 * each issuing its next call as soon as its previous one settles (a sliding window, no bubbles).
 */
export async function measure(
  op: () => Promise<void>,
  options: MeasureOptions,
): Promise<RunResult> {
  const latencies = new Float64Array(options.maxOps);
  let issued = 0;
  let done = 0;
  const cpuStart = cpuMicros();
  const start = performance.now();
  const deadline = start + options.durationMs;
  const loop = async (): Promise<void> => {
    while (issued < options.maxOps) {
      issued++;
      const t0 = performance.now();
      await op();
      const t1 = performance.now();
      latencies[done++] = t1 - t0;
      if (t1 >= deadline) return;
    }
  };
  const loops: Promise<void>[] = [];
  for (let i = 0; i < options.inFlight; i++) loops.push(loop());
  await Promise.all(loops);
  const wallMs = performance.now() - start;
  const clientCpuUs = cpuMicros() - cpuStart;
  const sorted = latencies.subarray(0, done).sort();
  return {
    ops: done,
    wallUs: wallMs * 1000,
    clientCpuUs,
    p50Us: percentile(sorted, 0.5) * 1000,
    p99Us: percentile(sorted, 0.99) * 1000,
  };
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median of a list (NaN when empty); the mean of the middle two for even lengths. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
