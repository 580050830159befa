/**
 * Tokens of classic servers: made random, compared in constant time, kept in files only their
 * owner can read (0600).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { UnsafeConfigError } from "./errors.ts";

/**
 * Bytes of randomness in a generated token: 32 (256 bits), printed as 43 base64url characters.
 *
 * @example
 * generateToken().length; // 43
 */
export const TOKEN_BYTES = 32;

/**
 * A fresh random token (base64url, no padding).
 *
 * @example
 * const token = generateToken();
 */
export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/**
 * True when `given` equals `expected`. The time it takes does not depend on where the two
 * differ, nor on their lengths: both are hashed (SHA-256) and the digests compared with
 * `crypto.timingSafeEqual`. A non-string `given` is simply false.
 *
 * @example
 * tokensEqual(expected, "guess"); // false
 */
export function tokensEqual(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(given, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Reads a token from `path` (trimmed). Refuses a file that group or others can read: a token
 * anyone on the machine can read protects nothing.
 *
 * @example
 * const token = await readTokenFile("/run/user/1000/rpyc.token");
 */
export async function readTokenFile(path: string): Promise<string> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new UnsafeConfigError(
      `token file ${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  }
  const token = (await readFile(path, "utf8")).trim();
  if (token === "") throw new UnsafeConfigError(`token file ${path} is empty`);
  return token;
}

/**
 * Writes `token` to `path` with mode 0600 (created exclusively, so an existing file, possibly
 * someone else's, is never overwritten; the parent directory is created 0700).
 *
 * @example
 * await writeTokenFile("/tmp/classic.token", generateToken());
 */
export async function writeTokenFile(path: string, token: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(`${token}\n`, "utf8");
  } finally {
    await handle.close();
  }
}
