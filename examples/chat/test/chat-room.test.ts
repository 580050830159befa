import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../src/chat-event.ts";
import { formatChatEvent } from "../src/chat-event.ts";
import { ChatRoom } from "../src/chat-room.ts";
import { ChatService } from "../src/chat-service.ts";
import { hashPassword } from "../src/password-hash.ts";
import { UserStore } from "../src/user-store.ts";

const store = new UserStore({
  foo: await hashPassword("bar"),
  spam: await hashPassword("bacon"),
  eggs: await hashPassword("viking"),
});

function inbox() {
  const events: ChatEvent[] = [];
  const lines = () => events.map((e) => formatChatEvent({ ...e, at: 0 }).slice(6));
  return { events, lines, onMessage: (e: ChatEvent) => void events.push(e) };
}

describe("ChatRoom", () => {
  it("broadcasts joins, messages and leaves to everyone", async () => {
    const room = new ChatRoom(store);
    const a = inbox();
    const b = inbox();
    const foo = await room.login("foo", "bar", a.onMessage);
    const spam = await room.login("spam", "bacon", b.onMessage);
    foo.say("hello world");
    await room.idle();
    expect(spam.who()).toEqual(["foo", "spam"]);
    expect(spam.whoami()).toBe("spam");
    spam.logout();
    await room.idle();
    expect(a.lines()).toEqual([
      "* foo joined *",
      "* spam joined *",
      "<foo> hello world",
      "* spam left (logged out) *",
    ]);
    expect(b.lines()).toEqual(["* spam joined *", "<foo> hello world"]);
    foo.logout();
  });

  it("rejects wrong credentials without saying which part was wrong", async () => {
    const room = new ChatRoom(store);
    for (const [user, pw] of [
      ["foo", "nope"],
      ["nobody", "bar"],
    ] as const) {
      await expect(room.login(user, pw, () => {})).rejects.toMatchObject({
        name: "ChatError",
        code: "RPYC_ERR_CHAT_LOGIN_FAILED",
        message: "wrong user name or password",
      });
    }
    await expect(room.login("foo", "bar", "not a function")).rejects.toMatchObject({
      code: "RPYC_ERR_CHAT_BAD_REQUEST",
    });
    await expect(room.login("../x", "bar", () => {})).rejects.toMatchObject({
      code: "RPYC_ERR_CHAT_BAD_REQUEST",
    });
    expect(room.members()).toEqual([]);
  });

  it("makes a token useless after logout, with a clear error", async () => {
    const room = new ChatRoom(store);
    const foo = await room.login("foo", "bar", () => {});
    foo.logout();
    for (const use of [() => foo.say("hi"), () => foo.logout(), () => foo.who()]) {
      expect(use).toThrow(
        expect.objectContaining({
          code: "RPYC_ERR_CHAT_LOGGED_OUT",
          message: "foo is no longer logged in (logged out): log in again for a new token",
        }),
      );
    }
    // A fresh login works again.
    (await room.login("foo", "bar", () => {})).logout();
  });

  it("refuses a second login of the same user and bad messages", async () => {
    const room = new ChatRoom(store, { limits: { maxTextLength: 5 } });
    const foo = await room.login("foo", "bar", () => {});
    await expect(room.login("foo", "bar", () => {})).rejects.toMatchObject({
      code: "RPYC_ERR_CHAT_ALREADY_LOGGED_IN",
    });
    for (const bad of ["", "   ", "toolong", 42]) {
      expect(() => foo.say(bad as string)).toThrow(
        expect.objectContaining({ code: "RPYC_ERR_CHAT_BAD_REQUEST" }),
      );
    }
    foo.logout();
  });

  it("keeps delivering to others while one callback hangs, and drops a failing one", async () => {
    const room = new ChatRoom(store, { limits: { maxQueued: 3 } });
    const a = inbox();
    const eggsCalls: ChatEvent[] = [];
    const foo = await room.login("foo", "bar", a.onMessage);
    // spam's callback never answers; eggs' callback fails.
    await room.login("spam", "bacon", () => new Promise(() => {}));
    await room.login("eggs", "viking", (e: ChatEvent) => {
      eggsCalls.push(e);
      throw new Error("boom");
    });
    for (const text of ["one", "two", "three", "four"]) {
      foo.say(text);
      await new Promise((r) => setImmediate(r)); // foo's own (synchronous) callback runs
    }
    // foo got every message, in order, although spam never answered and eggs failed.
    expect(a.lines().filter((l) => l.startsWith("<"))).toEqual([
      "<foo> one",
      "<foo> two",
      "<foo> three",
      "<foo> four",
    ]);
    expect(a.lines()).toContain("* eggs left (dropped: the callback failed: boom) *");
    expect(a.lines()).toContain(
      "* spam left (dropped: more than 3 items waiting: the recipient is too slow) *",
    );
    expect(eggsCalls).toHaveLength(1);
    expect(room.members()).toEqual(["foo"]);
    foo.logout();
  });

  it("logs a connection's users out when it disconnects", async () => {
    const room = new ChatRoom(store);
    const a = inbox();
    const foo = await room.login("foo", "bar", a.onMessage);
    const service = new ChatService(room);
    const spam = await service.login("spam", "bacon", () => {});
    service.onDisconnect();
    await room.idle();
    expect(a.lines().at(-1)).toBe("* spam left (connection lost) *");
    expect(() => spam.say("hi")).toThrow(
      expect.objectContaining({ code: "RPYC_ERR_CHAT_LOGGED_OUT" }),
    );
    foo.logout();
  });

  it("checks one password at a time per connection", async () => {
    const room = new ChatRoom(store);
    const service = new ChatService(room);
    const first = service.login("foo", "bar", () => {});
    await expect(service.login("spam", "bacon", () => {})).rejects.toMatchObject({
      code: "RPYC_ERR_CHAT_BUSY",
    });
    (await first).logout();
    (await service.login("spam", "bacon", () => {})).logout();
  });

  it("does not let a login finish on a connection that closed meanwhile", async () => {
    const room = new ChatRoom(store);
    const a = inbox();
    const foo = await room.login("foo", "bar", a.onMessage);
    const service = new ChatService(room);
    const login = service.login("spam", "bacon", () => {});
    service.onDisconnect(); // while the password is being checked
    await expect(login).rejects.toMatchObject({ code: "RPYC_ERR_CHAT_LOGGED_OUT" });
    expect(room.members()).toEqual(["foo"]);
    foo.logout();
  });
});
