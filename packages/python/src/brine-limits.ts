/**
 * The limits every brine decode and every RPyC frame obey. A value over a limit is refused with
 * `BrineError` (`RPYC_ERR_BRINE_LIMIT`) before it costs memory or time; the connection that
 * received it is closed.
 */

/** Brine and framing limits (all counts inclusive). */
export interface BrineLimits {
  /** Largest frame payload as sent (compressed or not), bytes. */
  readonly maxFrameBytes: number;
  /** Largest payload after zlib inflation, bytes (bounds a "zip bomb"). */
  readonly maxInflatedBytes: number;
  /** Deepest nesting of tuples (and slices, frozensets) in one value. */
  readonly maxDepth: number;
  /** Most items in one tuple. */
  readonly maxTupleItems: number;
  /** Most ASCII digits in one int (Python's own default `int_max_str_digits` is 4300). */
  readonly maxIntDigits: number;
  /** Most values (every tag counts one) decoded from one payload: total work per frame. */
  readonly maxValues: number;
}

/**
 * The defaults: 64 MiB frames (inflated too), depth 64, 1,000,000 tuple items or values per
 * frame, 4300 int digits.
 *
 * @example
 * decodeBrine(bytes, { ...DEFAULT_BRINE_LIMITS, maxDepth: 8 });
 */
export const DEFAULT_BRINE_LIMITS: BrineLimits = Object.freeze({
  maxFrameBytes: 64 * 1024 * 1024,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  maxTupleItems: 1_000_000,
  maxIntDigits: 4300,
  maxValues: 1_000_000,
});
