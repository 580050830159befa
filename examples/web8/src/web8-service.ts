/**
 * The web8 service (the original's Web8Service): one method, `get_page(gtk, content, page)`.
 * The browser passes its toolkit and content box by reference; the server builds the page by
 * calling them, and keeps handling the page's events until the connection closes. One instance
 * per connection: its page timers stop when the connection does.
 */
import { Service, type Connection, type Remote } from "@rpyc/core";
import type { BrowserService } from "../web/browser-service.ts";
import type { Toolkit } from "../web/toolkit.ts";
import type { VBox } from "../web/widgets.ts";
import type { PageBuilder } from "./page-context.ts";
import { PageTimers, type TimerRegistry } from "./page-timers.ts";
import { missingPage, normalizePageName } from "./pages.ts";

/** What every connection's service shares. */
export interface Web8Site {
  readonly pages: ReadonlyMap<string, PageBuilder>;
  readonly timers: TimerRegistry;
  readonly timerIntervalMs: number;
}

export class Web8Service extends Service {
  static override serviceName = "WEB8";
  readonly #site: Web8Site;
  readonly #timers: PageTimers;

  constructor(site: Web8Site) {
    super();
    this.#site = site;
    this.#timers = new PageTimers(site.timers);
  }

  /** Builds page `page` into `content` with the widgets of `gtk`. */
  async get_page(gtk: Remote<Toolkit>, content: Remote<VBox>, page: unknown): Promise<void> {
    const name = normalizePageName(typeof page === "string" ? page : "");
    const build = this.#site.pages.get(name) ?? missingPage(name);
    await build({
      gtk,
      content,
      browser: this.connection.root as Remote<BrowserService>,
      timers: this.#timers,
      timerIntervalMs: this.#site.timerIntervalMs,
    });
  }

  override onDisconnect(_conn: Connection): void {
    this.#timers.stopAll();
  }
}

/**
 * The service class to serve: every connection gets its own `Web8Service` on `site`.
 *
 * @example
 * await serve(web8ServiceFor(site), { server: http, path: WEB8_PATH });
 */
export function web8ServiceFor(site: Web8Site): new () => Web8Service {
  return class extends Web8Service {
    static override serviceName = "WEB8";
    constructor() {
      super(site);
    }
  };
}
