/**
 * `waitAtMost(promise, ms)`: waits for `promise` to settle, or `ms` to pass, whichever comes
 * first. Never rejects, and leaves no timer behind. Servers use it to bound each step of a
 * graceful close.
 */

/**
 * Resolves when `promise` settles (either way) or after `ms`, whichever is first.
 *
 * @example
 * await waitAtMost(socketsClosed, 1000); // then cut off whoever has not finished
 */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([
      promise.then(
        () => undefined,
        () => undefined,
      ),
      elapsed,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
