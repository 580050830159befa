/**
 * The browser's own service (the original's BrowserService): what the server may call on
 * `conn.root`. One method, `navigate`; a Service exposes its class-body methods and nothing
 * else (no fields, no lifecycle hooks, never set or delete).
 */
import { Service } from "@rpyc/core";
import { Web8Error } from "./errors.ts";

/** The wire name of the page's service. */
export const BROWSER_SERVICE_NAME = "WEB8BROWSER";

export class BrowserService extends Service {
  static override serviceName = BROWSER_SERVICE_NAME;
  readonly #navigate: (url: string) => void;

  /** `navigate` runs a navigation; it is called after the server's call has been answered. */
  constructor(navigate: (url: string) => void) {
    super();
    this.#navigate = navigate;
  }

  /**
   * Sends the browser to `url` (`host[:port]/page`, or `/page` on the current server). The
   * navigation closes this very connection, so it starts after this call returns: the server
   * gets its answer first, on a connection that then closes gracefully.
   */
  navigate(url: unknown): void {
    if (typeof url !== "string") {
      throw new Web8Error("RPYC_ERR_WEB8_BAD_ARGUMENT", "navigate takes an address string");
    }
    setTimeout(() => this.#navigate(url), 0);
  }
}
