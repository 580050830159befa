/**
 * Command-line helpers shared by `rpycfsd` and `mount.rpycfs`: a usage error (exit 2 with the
 * help text) and reading secrets from files that only their owner can read.
 */
import { readFile, stat } from "node:fs/promises";

/** A mistake on the command line: the command prints it with its help and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Reads a password or users file, refusing one that group or others may read (a secret
 * anyone on the machine can read protects nothing).
 *
 * @example
 * const password = (await readSecretFile("/root/rpycfs.pw", "password_file")).split("\n")[0];
 */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
  if (info.mode & 0o077) {
    throw new UsageError(`${what}: ${path} is readable by group or others; chmod 600 it`);
  }
  return readFile(path, "utf8");
}
