/**
 * The browser's navigation (the original's client.pyw): one page, one connection. Going
 * somewhere closes the old connection, empties the content area, connects to the page's server
 * and asks it to build the page: `root.get_page(toolkit, contentBox, pageName)`.
 */
import { ConnectionClosedError, type Connection } from "@rpyc/core";
import { connect } from "@rpyc/transport-ws";
import { formatAddress, parseAddress, type Address } from "./address.ts";
import { BrowserService } from "./browser-service.ts";
import { Toolkit } from "./toolkit.ts";
import { elementOf, VBox } from "./widgets.ts";

/** Where the web8 server listens for pages, on its http port. */
export const WEB8_PATH = "/web8";

/** The page elements the browser drives. */
export interface BrowserView {
  readonly address: HTMLInputElement;
  readonly content: HTMLElement;
  readonly status: HTMLElement;
}

/**
 * @example
 * const browser = new Browser(view, Number(location.port) || 18833);
 * await browser.go("localhost/main");
 */
export class Browser {
  readonly #view: BrowserView;
  readonly #defaultPort: number;
  #connection: Connection | undefined;
  #current: Address | undefined;
  /** Bumped by every navigation: a slower earlier one must not install its page. */
  #generation = 0;

  constructor(view: BrowserView, defaultPort: number) {
    this.#view = view;
    this.#defaultPort = defaultPort;
  }

  /** The live connection, for devtools and tests (`web8.browser.connection.stats()`). */
  get connection(): Connection | undefined {
    return this.#connection;
  }

  /** Navigates to `text` (`host[:port]/page`, or `/page` on the current server). */
  async go(text: string): Promise<void> {
    const generation = ++this.#generation;
    const old = this.#connection;
    this.#connection = undefined;
    this.#view.content.replaceChildren();
    this.#setStatus("");
    let address: Address;
    try {
      address = parseAddress(text, this.#defaultPort, this.#current);
    } catch (error) {
      this.#report(error);
      return;
    }
    this.#view.address.value = formatAddress(address, this.#defaultPort);
    await old?.close();
    const where = `${address.host}:${address.port}`;
    this.#setStatus(`Connecting to ${where}…`);
    let conn: Connection;
    try {
      conn = await connect(`ws://${address.host}:${address.port}${WEB8_PATH}`, {
        service: new BrowserService((url) => void this.go(url)),
      });
    } catch (error) {
      if (generation === this.#generation) this.#report(error);
      return;
    }
    if (generation !== this.#generation) {
      await conn.close();
      return;
    }
    this.#connection = conn;
    this.#current = address;
    conn.on("close", () => {
      if (this.#connection !== conn) return; // closed by a navigation: expected
      this.#connection = undefined;
      this.#setStatus(
        `Lost the connection to ${where} (the server closed it). Press Go to reload.`,
      );
    });
    const toolkit = new Toolkit((error) => this.#report(error));
    const box = new VBox();
    box.show();
    this.#view.content.append(elementOf(box));
    try {
      await conn.root.get_page(toolkit, box, address.page);
      if (this.#connection === conn) this.#setStatus("");
    } catch (error) {
      if (this.#connection === conn) this.#report(error);
    }
  }

  /** Shows a failure on the status line; one of a connection closed on purpose is dropped. */
  #report(error: unknown): void {
    if (error instanceof ConnectionClosedError) return;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    this.#setStatus(typeof code === "string" ? `${message} (${code})` : message);
  }

  #setStatus(text: string): void {
    this.#view.status.textContent = text;
  }
}
