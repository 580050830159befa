/**
 * The chat end to end: the real server (tcp + http + ws on 127.0.0.1, free ports), two Node
 * clients over tcp and the real web page in Debian chromium (playwright-core).
 */
import { connectStream, release, type Connection, type Remote } from "@rpyc/core";
import { connect as connectTcp } from "@rpyc/transport-tcp";
import { connect as netConnect, type Socket } from "node:net";
import { once } from "node:events";
import { launchChromium, type TestBrowser } from "@rpyc/tests/chromium";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { formatChatEvent, type ChatEvent } from "../src/chat-event.ts";
import type { ChatService } from "../src/chat-service.ts";
import { startChatServer, type ChatServer } from "../src/server.ts";

/** Waits for a condition (events, not sleeps); generous, since CI runs every project at once. */
const until = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 5000, interval: 10 });

let chat: ChatServer;
let browser: TestBrowser;
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  chat = await startChatServer({ port: 0, httpPort: 0 });
  browser = await launchChromium();
}, 30_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await until(() => expect(chat.room.members()).toEqual([]));
});

afterAll(async () => {
  await browser?.close();
  await chat?.close();
});

/** A Node client over tcp, with an inbox the test can await, and its server-side twin. */
async function nodeClient(options: { rawSocket?: boolean } = {}) {
  const before = new Set(chat.tcp.connections);
  let socket: Socket | undefined;
  let conn: Connection;
  if (options.rawSocket) {
    // Our own socket, so the test can destroy it like a crashed client would.
    socket = netConnect(chat.tcp.port, "127.0.0.1");
    await once(socket, "connect");
    conn = await connectStream(socket);
  } else {
    conn = await connectTcp("127.0.0.1", chat.tcp.port);
  }
  cleanups.push(() => conn.close());
  const server = await until(() => {
    const added = [...chat.tcp.connections].find((c) => !before.has(c));
    if (!added) throw new Error("the server has not seen the connection yet");
    return added;
  });
  const lines: string[] = [];
  const onMessage = (event: ChatEvent) => void lines.push(formatChatEvent(event).slice(6));
  const sees = (line: string) => until(() => expect(lines).toContain(line));
  const baseline = { client: conn.stats(), server: server.stats() };
  const backToBaseline = () =>
    until(() => {
      expect(conn.stats()).toEqual(baseline.client);
      expect(server.stats()).toEqual(baseline.server);
    });
  return {
    conn,
    server,
    socket,
    baseline,
    root: conn.root as Remote<ChatService>,
    lines,
    onMessage,
    sees,
    backToBaseline,
  };
}

/** The web page, logged in as `user`. */
async function pageClient(user: string, password: string) {
  const page: Page = await browser.context.newPage();
  cleanups.push(() => page.close());
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(chat.url);
  await page.fill("#user", user);
  await page.fill("#password", password);
  await page.click("#login");
  await page.locator("#room").waitFor({ state: "visible" });
  const sees = (text: string) =>
    page.locator("#messages li", { hasText: text }).first().waitFor({ timeout: 5000 });
  return { page, errors, sees };
}

describe("chat end to end", () => {
  it("lets two Node clients and a browser page exchange messages", async () => {
    const foo = await nodeClient();
    const spam = await nodeClient();
    const fooToken = await foo.root.login("foo", "bar", foo.onMessage);
    const spamToken = await spam.root.login("spam", "bacon", spam.onMessage);
    const web = await pageClient("eggs", "viking");
    await foo.sees("* eggs joined *");
    await spam.sees("* eggs joined *");
    const wsServerSide = [...chat.ws.connections][0]!;
    expect(chat.ws.connections.size).toBe(1);

    await spamToken.say("hello from spam");
    await web.sees("<spam> hello from spam");
    await foo.sees("<spam> hello from spam");

    await web.page.fill("#text", "hello from the browser");
    await web.page.click("#send");
    await foo.sees("<eggs> hello from the browser");
    await spam.sees("<eggs> hello from the browser");
    await web.sees("<eggs> hello from the browser");

    await fooToken.say("hi both <b>not bold</b>");
    await web.sees("<foo> hi both <b>not bold</b>");
    expect(await web.page.locator("#messages b").count()).toBe(0); // text, never markup
    expect(await fooToken.who()).toEqual(["eggs", "foo", "spam"]);

    // The page logs out and lets go of its token: both sides of its connection are clean.
    await web.page.click("#logout");
    await foo.sees("* eggs left (logged out) *");
    await web.page.locator("#status", { hasText: "logged out" }).waitFor();
    // Baselines: the tables of a fresh connection (foo's, taken before it logged in).
    await until(async () => {
      expect(await web.page.evaluate(() => window.rpycChat.connection?.stats())).toEqual(
        foo.baseline.client,
      );
      expect(wsServerSide.stats()).toEqual(foo.baseline.server);
    });
    expect(web.errors).toEqual([]);

    for (const [client, token] of [
      [foo, fooToken],
      [spam, spamToken],
    ] as const) {
      await token.logout();
      release(token);
      await client.backToBaseline();
    }
  });

  it("announces a client whose connection drops abruptly as gone", async () => {
    const foo = await nodeClient();
    const spam = await nodeClient({ rawSocket: true });
    const fooToken = await foo.root.login("foo", "bar", foo.onMessage);
    await spam.root.login("spam", "bacon", spam.onMessage);
    await foo.sees("* spam joined *");

    spam.socket!.destroy(); // no goodbye, no close message: the socket just dies
    await foo.sees("* spam left (connection lost) *");
    expect(chat.room.members()).toEqual(["foo"]);
    await until(() => expect(spam.server.closed).toBe(true));
    expect(chat.tcp.connections.has(spam.server)).toBe(false);

    await fooToken.logout();
    release(fooToken);
    await foo.backToBaseline();
  });

  it("rejects wrong credentials and a token after logout, and the connection stays usable", async () => {
    const foo = await nodeClient();
    await expect(foo.root.login("foo", "wrong", foo.onMessage)).rejects.toMatchObject({
      code: "RPYC_ERR_CHAT_LOGIN_FAILED",
      message: expect.stringContaining("wrong user name or password"),
    });
    const token = await foo.root.login("foo", "bar", foo.onMessage);
    await token.logout();
    for (const use of [() => token.say("anyone?"), () => token.who(), () => token.logout()]) {
      await expect(use()).rejects.toMatchObject({
        code: "RPYC_ERR_CHAT_LOGGED_OUT",
        message: expect.stringContaining("foo is no longer logged in (logged out)"),
      });
    }
    release(token);
    const again = await foo.root.login("foo", "bar", foo.onMessage);
    expect(await again.whoami()).toBe("foo");
    await again.logout();
    release(again);
    await foo.backToBaseline();
  });
});
