/**
 * web8 end to end in Debian chromium: the page, the address bar, the server's pages and their
 * handlers (server-side closures called from the browser), navigation from both sides, a
 * second browser at once. Each test leaves the server idle (no connection, socket or timer).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  launchChromium,
  onlyConnection,
  openPage,
  serverIsIdle,
  startWeb8Server,
  tablesMatch,
  until,
  type BrowserPage,
  type TestBrowser,
  type Web8Server,
} from "./web8-fixture.ts";

let web8: Web8Server;
let browser: TestBrowser;
const pages: BrowserPage[] = [];

beforeAll(async () => {
  web8 = await startWeb8Server({ port: 0 });
  browser = await launchChromium();
}, 30_000);

afterEach(async () => {
  for (const { page, errors } of pages.splice(0)) {
    await page.close();
    expect(errors).toEqual([]);
  }
  await serverIsIdle(web8);
});

afterAll(async () => {
  await browser?.close();
  await web8?.close();
});

async function open(target: TestBrowser = browser): Promise<BrowserPage> {
  const page = await openPage(target, web8.url);
  pages.push(page);
  return page;
}

describe("web8 in chromium", () => {
  it("loads the main page on Enter; Add 1 runs the server's closure", async () => {
    const tab = await open();
    expect(await tab.page.inputValue("#address")).toBe("localhost/main");
    expect(await tab.page.locator("#content").textContent()).toBe(""); // empty until Go
    await tab.enter("localhost/main");
    await tab.sees("Hello mate, this is the main page");
    await tab.sees("You have clicked the button 0 times");
    await tab.sees("Server time is: ?");
    for (let n = 1; n <= 3; n++) {
      await tab.click("Add 1");
      await tab.sees(`You have clicked the button ${n} times`);
    }
    await tablesMatch(tab, web8);
    const shot = join(tmpdir(), "rpyc-web8-main.png");
    await tab.page.screenshot({ path: shot });
    await until(async () => expect(await tab.status()).toBe(""));
  });

  it("navigates when the server says so, from inside its own call; the old connection closes", async () => {
    const tab = await open();
    await tab.go("localhost/main");
    await tab.sees("Hello mate, this is the main page");
    const first = onlyConnection(web8);
    await tab.click("Go to the 'hello world' page");
    await tab.sees("Hello world!");
    expect(await tab.page.inputValue("#address")).toBe("localhost/hello_world");
    await until(() => expect(first.closed).toBe(true));
    const second = onlyConnection(web8);
    expect(second).not.toBe(first);
    expect(await tab.page.locator("#content").textContent()).toBe("Hello world!");
    // The new page holds the toolkit, the content box and one label: nothing of the old page.
    await tablesMatch(tab, web8);
    expect(second.stats()).toMatchObject({ imported: 3, exported: 0 });
    await until(async () => expect(await tab.status()).toBe(""));
  });

  it("says a page does not exist, and takes host:port and page names with spaces", async () => {
    const tab = await open();
    await tab.go("localhost/no such page");
    await tab.sees("Page 'no_such_page' does not exist");
    await tab.go(`127.0.0.1:${web8.port}/Hello World`);
    await tab.sees("Hello world!");
    expect(await tab.page.inputValue("#address")).toBe("127.0.0.1/Hello World");
    await tablesMatch(tab, web8);
  });

  it("runs the server's timer every second, stops it, and stops it when the page goes away", async () => {
    const tab = await open();
    await tab.go("localhost/main");
    await tab.sees("Start timer");
    await tab.click("Start timer");
    await tab.page.locator("#content button", { hasText: "Stop timer" }).waitFor();
    expect(web8.timers.live).toBe(1);
    const time = tab.page.locator("#content span", { hasText: "Server time is:" });
    await until(async () => expect(await time.textContent()).toMatch(/^Server time is: \d/));
    const firstTick = await time.textContent();
    await until(async () => expect(await time.textContent()).not.toBe(firstTick));
    await tab.click("Stop timer");
    await tab.page.locator("#content button", { hasText: "Start timer" }).waitFor();
    expect(web8.timers.live).toBe(0);

    // Started again, then the page goes away (navigation): the timer stops with its connection.
    await tab.click("Start timer");
    await until(() => expect(web8.timers.live).toBe(1));
    await tab.click("Go to the 'hello world' page");
    await tab.sees("Hello world!");
    await until(() => expect(web8.timers.live).toBe(0));

    // And when the tab closes.
    await tab.go("localhost/main");
    await tab.click("Start timer");
    await until(() => expect(web8.timers.live).toBe(1));
    await tab.page.close();
    await until(() => expect(web8.timers.live).toBe(0));
  });

  it("serves a second browser at once, each page with its own state", async () => {
    const other = await launchChromium();
    try {
      const one = await open();
      const two = await open(other);
      await Promise.all([one.go("localhost/main"), two.go("localhost/main")]);
      await Promise.all([one.sees("Add 1"), two.sees("Add 1")]);
      expect(web8.ws.connections.size).toBe(2);
      for (let n = 1; n <= 2; n++) {
        await one.click("Add 1");
        await one.sees(`You have clicked the button ${n} times`);
      }
      await two.click("Add 1");
      await two.sees("You have clicked the button 1 times");
      await one.sees("You have clicked the button 2 times");
      await two.click("Start timer");
      await until(() => expect(web8.timers.live).toBe(1));
      await two.page.close();
      pages.splice(pages.indexOf(two), 1);
      expect(two.errors).toEqual([]);
      await until(() => expect(web8.ws.connections.size).toBe(1));
      expect(web8.timers.live).toBe(0);
      await tablesMatch(one, web8);
    } finally {
      await other.close();
    }
  });
});
