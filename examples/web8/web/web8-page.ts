/**
 * The page's script: wires the address bar (Go, or Enter) to the Browser. Bundled for
 * browsers by web-kit when the server starts. `window.web8` is for devtools and tests; the
 * server cannot reach it (it holds only the toolkit, the content box and the BrowserService).
 */
import { Browser } from "./browser.ts";

declare global {
  interface Window {
    web8: { browser: Browser };
  }
}

/** The original's port, used when the page did not come from a server (a file:// page). */
const DEFAULT_PORT = 18833;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const address = byId<HTMLInputElement>("address");
const browser = new Browser(
  { address, content: byId("content"), status: byId("status") },
  Number(location.port) || DEFAULT_PORT,
);
window.web8 = { browser };

byId<HTMLFormElement>("address-bar").addEventListener("submit", (event) => {
  event.preventDefault();
  void browser.go(address.value);
});
