/**
 * Password hashing for the chat's user file: scrypt (node:crypto) with a random salt per user.
 * A stored hash reads `scrypt$N$r$p$<salt base64>$<hash base64>`, so the cost can be raised later
 * without breaking existing entries.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** scrypt cost parameters for new hashes (OWASP's minimum for scrypt is N=2^17 with r=8, p=1; a
 * demo keeps logins quick with 2^14, which is still far from plain text). */
export const DEFAULT_SCRYPT_PARAMS = Object.freeze({ N: 16384, r: 8, p: 1, keyLength: 32 });

/** Longest password accepted, in characters: a longer one is refused before hashing. */
export const MAX_PASSWORD_LENGTH = 1024;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Hashes a password with a fresh 16-byte salt.
 *
 * @example
 * const stored = await hashPassword("bar"); // "scrypt$16384$8$1$…$…"
 */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength } = DEFAULT_SCRYPT_PARAMS;
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, keyLength, { N, r, p });
  return ["scrypt", N, r, p, salt.toString("base64"), hash.toString("base64")].join("$");
}

/**
 * Checks a password against a stored hash in constant time. A malformed stored hash is an error
 * (a broken user file should be noticed, not treated as "wrong password").
 *
 * @example
 * await verifyPassword("bar", stored); // true
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  const [scheme, n, r, p, saltB64, hashB64] = parts;
  if (parts.length !== 6 || scheme !== "scrypt" || !saltB64 || !hashB64) {
    throw new Error("malformed password hash: expected scrypt$N$r$p$salt$hash");
  }
  const expected = Buffer.from(hashB64, "base64");
  const actual = await scryptAsync(password, Buffer.from(saltB64, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}
