/**
 * The web8 tests' fixture: a real web8 server on 127.0.0.1 (free port), Debian chromium, and
 * helpers to open the page, read both sides' netref tables and wait (events and polling, no
 * sleeps). Every test ends with nothing left: no connection, socket or page timer.
 */
import type { Connection, ConnectionStats } from "@rpyc/core";
import { launchChromium, type TestBrowser } from "@rpyc/tests/chromium";
import type { Page } from "playwright-core";
import { expect, vi } from "vitest";
import { startWeb8Server, type Web8Server, type Web8ServerOptions } from "../src/server.ts";

/** Generous, since CI runs every project at once on 2 cores. */
export const until = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 8000, interval: 20 });

/** A page of the web8 browser, with its uncaught errors collected. */
export interface BrowserPage {
  readonly page: Page;
  readonly errors: string[];
  /** Types `address` in the address bar and presses Enter. */
  enter(address: string): Promise<void>;
  /** Types `address` in the address bar and clicks Go. */
  go(address: string): Promise<void>;
  /** Resolves when the content area shows `text`. */
  sees(text: string): Promise<void>;
  /** The page's connection tables (`connection.stats()` in the page), or undefined. */
  stats(): Promise<ConnectionStats | undefined>;
  status(): Promise<string>;
  click(label: string): Promise<void>;
}

/** Opens the web8 page of `server` in `browser`. */
export async function openPage(browser: TestBrowser, url: string): Promise<BrowserPage> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  const address = page.locator("#address");
  return {
    page,
    errors,
    async enter(text) {
      await address.fill(text);
      await address.press("Enter");
    },
    async go(text) {
      await address.fill(text);
      await page.click("#go");
    },
    async sees(text) {
      await page.locator("#content", { hasText: text }).waitFor({ timeout: 8000 });
    },
    stats: () => page.evaluate(() => window.web8.browser.connection?.stats()),
    status: async () => (await page.locator("#status").textContent()) ?? "",
    click: (label) => page.locator("#content button", { hasText: label }).click(),
  };
}

/** The server side of the one live connection. */
export function onlyConnection(server: Web8Server): Connection {
  const [conn, ...others] = server.ws.connections;
  expect(others).toEqual([]);
  return conn!;
}

/**
 * Checks the two sides' tables mirror each other: what the page exports the server imports,
 * and back; nothing is pending.
 */
export async function tablesMatch(page: BrowserPage, server: Web8Server): Promise<void> {
  await until(async () => {
    const client = await page.stats();
    const host = onlyConnection(server).stats();
    expect(client).toBeDefined();
    expect(client!.exported).toBe(host.imported);
    expect(client!.imported).toBe(host.exported);
    expect({ client: client!.pending, server: host.pending }).toEqual({ client: 0, server: 0 });
  });
}

/** Waits until the server has no connection, socket or page timer left. */
export async function serverIsIdle(server: Web8Server): Promise<void> {
  await until(() => {
    expect(server.ws.connections.size).toBe(0);
    expect(server.ws.socketCount).toBe(0);
    expect(server.timers.live).toBe(0);
  });
}

export {
  launchChromium,
  startWeb8Server,
  type TestBrowser,
  type Web8Server,
  type Web8ServerOptions,
};
