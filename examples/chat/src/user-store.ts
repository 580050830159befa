/**
 * The chat's users: a small JSON file of user names and scrypt password hashes (never plain
 * text). `users.json` next to package.json ships the seed's demo users: foo/bar, spam/bacon,
 * eggs/viking. Add one with `pnpm add-user NAME`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from "./password-hash.ts";

/** The user file that ships with the demo (foo/bar, spam/bacon, eggs/viking). */
export const DEFAULT_USERS_FILE = fileURLToPath(new URL("../users.json", import.meta.url));

/** User names: 1–32 letters, digits, `_` or `-`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** The file's shape: `{ "users": { "foo": "scrypt$…" } }`. */
export interface UserFile {
  note?: string;
  users: Record<string, string>;
}

// Checked against when the user is unknown, so a wrong name costs as long as a wrong password
// (the answer must not tell which of the two was wrong).
const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A".repeat(43) + "=";

/**
 * Checks credentials against a fixed set of hashes.
 *
 * @example
 * const store = await UserStore.load(new URL("../users.json", import.meta.url));
 * await store.check("foo", "bar"); // true
 */
export class UserStore {
  readonly #hashes: Map<string, string>;

  constructor(hashes: Record<string, string>) {
    this.#hashes = new Map(Object.entries(hashes));
  }

  /** Reads a user file. Throws a clear error if it is not one. */
  static async load(path: string | URL): Promise<UserStore> {
    return new UserStore(parseUserFile(await readFile(path, "utf8"), String(path)).users);
  }

  /** True when `name` exists and `password` is its password. Never throws for bad input. */
  async check(name: unknown, password: unknown): Promise<boolean> {
    if (typeof name !== "string" || typeof password !== "string") return false;
    if (password.length > MAX_PASSWORD_LENGTH) return false;
    const stored = this.#hashes.get(name);
    const ok = await verifyPassword(password, stored ?? DUMMY_HASH);
    return ok && stored !== undefined;
  }
}

/**
 * Parses and validates a user file's text; throws an error naming the bad entry.
 *
 * @example
 * parseUserFile('{"users":{"foo":"scrypt$16384$8$1$…$…"}}').users.foo;
 */
export function parseUserFile(text: string, where = "user file"): UserFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not JSON: ${(err as Error).message}`);
  }
  const users = (data as UserFile | null)?.users;
  if (typeof users !== "object" || users === null) {
    throw new Error(`${where} has no "users" object`);
  }
  for (const [name, hash] of Object.entries(users)) {
    if (!USER_NAME_PATTERN.test(name) || typeof hash !== "string" || !hash.startsWith("scrypt$")) {
      throw new Error(`${where}: bad entry for "${name}" (expected "name": "scrypt$…")`);
    }
  }
  return data as UserFile;
}

/**
 * Adds (or replaces) a user in a user file, hashing the password with a fresh salt.
 *
 * @example
 * await addUser("users.json", "ham", "spam and eggs");
 */
export async function addUser(path: string | URL, name: string, password: string): Promise<void> {
  if (!USER_NAME_PATTERN.test(name)) {
    throw new Error(`bad user name "${name}": use 1-32 letters, digits, _ or -`);
  }
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
    throw new Error(`the password must have 1 to ${MAX_PASSWORD_LENGTH} characters`);
  }
  let file: UserFile = { users: {} };
  try {
    file = parseUserFile(await readFile(path, "utf8"), String(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  file.users[name] = await hashPassword(password);
  await writeFile(path, JSON.stringify(file, null, 2) + "\n");
}
