import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../src/password-hash.ts";
import { addUser, DEFAULT_USERS_FILE, parseUserFile, UserStore } from "../src/user-store.ts";

describe("user store", () => {
  it("ships the seed's demo users, hashed", async () => {
    const text = await readFile(DEFAULT_USERS_FILE, "utf8");
    expect(text).not.toMatch(/"bar"|"bacon"|"viking"/);
    const store = await UserStore.load(DEFAULT_USERS_FILE);
    expect(await store.check("foo", "bar")).toBe(true);
    expect(await store.check("spam", "bacon")).toBe(true);
    expect(await store.check("eggs", "viking")).toBe(true);
    expect(await store.check("foo", "bacon")).toBe(false);
    expect(await store.check("nobody", "bar")).toBe(false);
    expect(await store.check(42, "bar")).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = [await hashPassword("same"), await hashPassword("same")];
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("same", b)).toBe(true);
    expect(await verifyPassword("Same", a)).toBe(false);
  });

  it("adds users to a file and rejects bad ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), "chat-users-"));
    try {
      const file = join(dir, "users.json");
      await addUser(file, "ham", "spam and eggs");
      const store = await UserStore.load(file);
      expect(await store.check("ham", "spam and eggs")).toBe(true);
      await expect(addUser(file, "no spaces", "x")).rejects.toThrow(/bad user name/);
      await expect(addUser(file, "ok", "")).rejects.toThrow(/1 to 1024/);
      expect(() => parseUserFile("{}")).toThrow(/no "users" object/);
      expect(() => parseUserFile('{"users":{"a":"plain"}}')).toThrow(/bad entry for "a"/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
