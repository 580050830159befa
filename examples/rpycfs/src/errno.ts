/**
 * Server errors to FUSE return values: the POSIX `code` an error carries (`fs-error.ts`) becomes
 * the negative errno the kernel hands the application. Anything else — a lost connection, a
 * timeout, a malformed reply — is EIO, so no caller ever hangs or sees a success it did not get.
 */
import { constants } from "node:os";

const ERRNO = constants.errno as Record<string, number | undefined>;

/** `-errno` of a POSIX code name, EIO for an unknown one. */
export function errnoOf(code: string): number {
  return -(ERRNO[code] ?? ERRNO.EIO!);
}

/**
 * The FUSE return value for `error`: `-errno` of its POSIX `code`, else `-EIO`.
 *
 * @example
 * toErrno(Object.assign(new Error(), { code: "ENOENT" })); // -2
 */
export function toErrno(error: unknown): number {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code) && ERRNO[code] !== undefined) {
    return -ERRNO[code]!;
  }
  return -ERRNO.EIO!;
}
