/**
 * File-system errors as they cross the wire: a plain `Error` whose `code` is the POSIX name
 * (`ENOENT`, `EACCES`…) and whose message names only the client's path, never a server path.
 * The client maps `code` to the errno FUSE returns (`errno.ts`).
 */

/**
 * An error with POSIX `code` and a message safe to show the client.
 *
 * @example
 * throw fsError("EROFS", "/notes.txt: the export is read-only");
 */
export function fsError(code: string, detail: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${detail}`), { code });
}

/**
 * Rethrows a Node fs error as an `fsError` with the same code and the client's path, so the
 * server's directory layout never reaches the client.
 */
export function sanitize(error: unknown, clientPath: string): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) throw fsError(code, clientPath);
  throw fsError("EIO", clientPath);
}
