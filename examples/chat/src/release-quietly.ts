import { isNetref, release } from "@rpyc/core";

/**
 * Hands a remote callback back to its owner (no-op for a local function), so the client's
 * export table does not keep it. Never throws: on a connection that is already closed there is
 * nothing left to release.
 *
 * @example
 * releaseQuietly(onMessage); // after a refused login, or when a member leaves
 */
export function releaseQuietly(callback: unknown): void {
  try {
    if (isNetref(callback)) release(callback);
  } catch {
    // the connection is gone, and its tables with it
  }
}
