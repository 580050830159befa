/**
 * What a web8 server cannot do, in chromium: reach anything of the page it was not handed
 * (the document, the window, an element, markup, attributes) or create more than 10,000
 * widgets; and what the page does when its server goes away under it.
 */
import { release, setAttr, type Remote } from "@rpyc/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PageBuilder } from "../src/page-context.ts";
import { add } from "../src/page-context.ts";
import { DEFAULT_MAX_WIDGETS } from "../web/toolkit.ts";
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

let browser: TestBrowser;
const pages: BrowserPage[] = [];
const servers: Web8Server[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 30_000);

afterEach(async () => {
  for (const { page, errors } of pages.splice(0)) {
    await page.close();
    expect(errors).toEqual([]);
  }
  for (const server of servers.splice(0)) {
    await serverIsIdle(server);
    await server.close();
  }
});

afterAll(async () => {
  await browser?.close();
});

async function serverWith(pagesOf: Record<string, PageBuilder>, port = 0): Promise<Web8Server> {
  const server = await startWeb8Server({ port, pages: new Map(Object.entries(pagesOf)) });
  servers.push(server);
  return server;
}

async function open(server: Web8Server): Promise<BrowserPage> {
  const tab = await openPage(browser, server.url);
  pages.push(tab);
  return tab;
}

/** What an attempt ended with: the error's code (what a peer matches on), or "allowed". */
async function attempt(what: () => PromiseLike<unknown>): Promise<string> {
  try {
    await what();
    return "allowed";
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

describe("a web8 server is held to what the page handed it", () => {
  it("cannot read the document or window, reach an element, or write markup or attributes", async () => {
    const outcomes: Record<string, string> = {};
    const server = await serverWith({
      async probe(context) {
        const gtk = context.gtk as Remote<any>;
        const content = context.content as Remote<any>;
        const browserRoot = context.browser as Remote<any>;
        outcomes.document = await attempt(() => gtk.document);
        outcomes.window = await attempt(() => gtk.window);
        outcomes.globalThis = await attempt(() => browserRoot.globalThis);
        outcomes.ctor = await attempt(() => gtk.Label.constructor);
        outcomes.element = await attempt(() => content.element);
        outcomes.ownerDocument = await attempt(() => content.ownerDocument);
        outcomes.innerHTML = await attempt(() => setAttr(content, "innerHTML", "<b>x</b>"));
        outcomes.privateField = await attempt(() => gtk["#created"]);
        outcomes.foreignChild = await attempt(() => content.pack_start({ fake: "widget" }));
        outcomes.repackRoot = await attempt(() => gtk.VBox().pack_start(content));
        const outer = await gtk.VBox();
        const inner = await gtk.VBox();
        await outer.pack_start(inner);
        outcomes.cycle = await attempt(() => inner.pack_start(outer));
        const label = await add(context, await gtk.Label("<b>not bold</b> <img src=x>"));
        outcomes.labelText = await label.get_text();
        outcomes.badText = await attempt(() => label.set_text({ toString: "<b>x</b>" }));
      },
    });
    const tab = await open(server);
    await tab.go("localhost/probe");
    await tab.sees("<b>not bold</b> <img src=x>");
    const denied = "RPYC_ERR_ACCESS_DENIED";
    const badArgument = "RPYC_ERR_WEB8_BAD_ARGUMENT";
    expect(outcomes).toEqual({
      document: denied,
      window: denied,
      globalThis: denied,
      ctor: denied,
      element: denied,
      ownerDocument: denied,
      innerHTML: denied,
      privateField: denied,
      foreignChild: badArgument,
      repackRoot: badArgument,
      cycle: badArgument,
      labelText: "<b>not bold</b> <img src=x>",
      badText: badArgument,
    });
    expect(await tab.page.locator("#content b, #content img").count()).toBe(0);
    await until(async () => expect(await tab.status()).toBe(""));
    await tablesMatch(tab, server);
  });

  it("cannot create widget 10,001", async () => {
    let refusal: unknown;
    let created = 0;
    const server = await serverWith({
      async flood({ gtk }) {
        // In batches of 1000 calls in flight, each label released once made.
        while (created < DEFAULT_MAX_WIDGETS) {
          const batch = Math.min(1000, DEFAULT_MAX_WIDGETS - created);
          const labels = await Promise.all(Array.from({ length: batch }, () => gtk.Label("")));
          labels.forEach((label) => release(label));
          created += batch;
        }
        try {
          await gtk.Label("one too many");
        } catch (error) {
          refusal = error;
        }
      },
    });
    const tab = await open(server);
    await tab.go("localhost/flood");
    await until(() => expect(refusal).toBeDefined());
    expect(created).toBe(DEFAULT_MAX_WIDGETS);
    expect(refusal).toMatchObject({
      code: "RPYC_ERR_WEB8_WIDGET_LIMIT",
      message: expect.stringContaining("10000 widgets"),
    });
    // Every released label is gone from both tables: the server holds the toolkit and the box.
    await tablesMatch(tab, server);
    expect(onlyConnection(server).stats()).toMatchObject({ imported: 2, exported: 0 });
  });
});

describe("a web8 page whose server goes away", () => {
  it("says so, and recovers on Go once the server is back", async () => {
    const first = await startWeb8Server({ port: 0 });
    const tab = await openPage(browser, first.url);
    pages.push(tab);
    await tab.go("localhost/main");
    await tab.sees("Hello mate, this is the main page");
    await tab.click("Start timer");
    await until(() => expect(first.timers.live).toBe(1));
    await first.close();
    await serverIsIdle(first);
    await until(async () =>
      expect(await tab.status()).toBe(
        `Lost the connection to localhost:${first.port} (the server closed it). Press Go to reload.`,
      ),
    );
    // Go while it is down: a clear failure, not a hang.
    await tab.page.click("#go");
    await until(async () => expect(await tab.status()).toContain("could not open WebSocket"));

    const second = await serverWith({}, first.port);
    await tab.page.click("#go");
    await tab.sees("Hello mate, this is the main page");
    await until(async () => expect(await tab.status()).toBe(""));
    await tab.click("Add 1");
    await tab.sees("You have clicked the button 1 times");
    await tablesMatch(tab, second);
  });
});
