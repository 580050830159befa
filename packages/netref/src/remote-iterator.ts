/**
 * `for await (const x of ref)`: remote iteration in growing batches (RPyC's `buffiter`: 10
 * values, then twice as many each round trip, up to 1000). The first batch is pipelined on the
 * `Iterate` request, so a short iteration costs one round trip. `break` sends `IterReturn`.
 */
import { Op } from "@rpyc/protocol";
import { type Parent, parentOf } from "./netref-state.ts";

/**
 * First batch size, growth factor and cap (RPyC's buffiter defaults).
 *
 * @example
 * ITER_BATCH.first; // 10
 */
export const ITER_BATCH = Object.freeze({ first: 10, factor: 2, max: 1000 });

/**
 * The value of an `IterNext` reply.
 *
 * @example
 * const batch: IterBatch = { values: [1, 2], done: false };
 */
export interface IterBatch {
  readonly values: unknown[];
  readonly done: boolean;
}

/** Issues an operation on a parent and returns its remote promise (see remote-promise.ts). */
export type Issue = (
  parent: Parent,
  op: Op,
  name: string | number | undefined,
  args: readonly unknown[],
) => PromiseLike<unknown> & object;

/** Releases a netref when iteration is over (see helpers' `release`). */
export type ReleaseFn = (ref: unknown) => void;

/** An async iterator over the remote object `parent` designates. */
export function createRemoteIterator(
  parent: Parent,
  issue: Issue,
  releaseRef: ReleaseFn,
): AsyncIterableIterator<unknown> {
  let iteratorRef: unknown;
  let buffer: unknown[] = [];
  let index = 0;
  let size: number = ITER_BATCH.first;
  let finished = false;
  let pending: Promise<void> | undefined;

  const finish = () => {
    finished = true;
    if (iteratorRef !== undefined) releaseRef(iteratorRef);
    iteratorRef = undefined;
  };

  const fetch = async (): Promise<IteratorResult<unknown>> => {
    let batchPromise: PromiseLike<unknown>;
    if (iteratorRef === undefined) {
      const iterate = issue(parent, Op.Iterate, undefined, []);
      batchPromise = issue(parentOf(iterate)!, Op.IterNext, undefined, [size]);
      try {
        iteratorRef = await iterate;
      } catch (err) {
        finished = true;
        throw err;
      }
    } else {
      batchPromise = issue(parentOf(iteratorRef)!, Op.IterNext, undefined, [size]);
    }
    let batch: IterBatch;
    try {
      batch = (await batchPromise) as IterBatch;
    } catch (err) {
      finish();
      throw err;
    }
    size = Math.min(size * ITER_BATCH.factor, ITER_BATCH.max);
    buffer = batch.values;
    index = 0;
    if (batch.done) finish();
    if (index < buffer.length) return { value: buffer[index++], done: false };
    return { value: undefined, done: true };
  };

  const iterator: AsyncIterableIterator<unknown> = {
    next() {
      if (index < buffer.length) return Promise.resolve({ value: buffer[index++], done: false });
      if (finished) return Promise.resolve({ value: undefined, done: true });
      // The first fetch starts synchronously (so it joins the current flush and pipelines on
      // the request that produced the iterable); calls to next() while a batch is in flight
      // wait for it, in order.
      const run =
        pending === undefined
          ? fetch()
          : pending.then(() =>
              index < buffer.length
                ? { value: buffer[index++], done: false }
                : finished
                  ? { value: undefined, done: true as const }
                  : fetch(),
            );
      pending = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
    async return(value?: unknown) {
      if (!finished && iteratorRef !== undefined) {
        const ref = iteratorRef;
        try {
          await issue(parentOf(ref)!, Op.IterReturn, undefined, []);
        } finally {
          finish();
        }
      }
      finished = true;
      buffer = [];
      return { value, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
