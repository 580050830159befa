/**
 * How many entries a batched message (`Release`, `Forget`) may carry to fit the receiver's
 * limits: its array lengths (`maxArrayLength`), its item budget (`maxItems`) and its frame
 * size (`maxFrameBytes`), with every entry at its widest encoding. A sender splits a longer
 * batch into several messages of at most this many entries.
 */
import type { Limits } from "./limits.ts";

/** The message array, its kind, and the headers of its arrays: generous, in bytes and items. */
const ENVELOPE = 32;
/** An id or a seq: a uint32, at most 5 bytes of CBOR. */
const UINT32_BYTES = 5;
/** A release count: a safe integer, at most 9 bytes of CBOR. */
const COUNT_BYTES = 9;

/**
 * Most (id, count) pairs in one `Release` (`[4, ids, counts]`: two items per pair).
 *
 * @example
 * releaseBatchSize({ ...DEFAULT_LIMITS, maxArrayLength: 1000 }); // 1000
 */
export function releaseBatchSize(limits: Limits): number {
  return fit(limits, 2, UINT32_BYTES + COUNT_BYTES);
}

/**
 * Most seqs in one `Forget` (`[10, seqs]`: one item per seq).
 *
 * @example
 * forgetBatchSize(DEFAULT_LIMITS); // 1048576
 */
export function forgetBatchSize(limits: Limits): number {
  return fit(limits, 1, UINT32_BYTES);
}

function fit(limits: Limits, itemsPerEntry: number, bytesPerEntry: number): number {
  const size = Math.min(
    limits.maxArrayLength,
    (limits.maxItems - ENVELOPE) / itemsPerEntry,
    (limits.maxFrameBytes - ENVELOPE) / bytesPerEntry,
  );
  return Math.max(1, Math.floor(size));
}
