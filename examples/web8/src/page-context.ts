/**
 * What a page builder gets: the browser's toolkit, the content box, the browser's service, and
 * the connection's timers. The first three are netrefs to the browser's objects; their types
 * come from the page's own source, so a typo in a method name fails typecheck.
 */
import type { Remote } from "@rpyc/core";
import type { BrowserService } from "../web/browser-service.ts";
import type { Toolkit } from "../web/toolkit.ts";
import type { VBox } from "../web/widgets.ts";
import type { PageTimers } from "./page-timers.ts";

export interface PageContext {
  /** The widget constructors the browser handed over (`await gtk.Label("hi")`). */
  readonly gtk: Remote<Toolkit>;
  /** The box the page goes in. */
  readonly content: Remote<VBox>;
  /** The browser's service: `navigate(url)`. */
  readonly browser: Remote<BrowserService>;
  readonly timers: PageTimers;
  /** How often the main page's timer ticks, in ms (1000, as the original). */
  readonly timerIntervalMs: number;
}

/** Builds one page into `context.content`. */
export type PageBuilder = (context: PageContext) => Promise<void>;

/** A widget netref, as a page handles it. */
export type RemoteWidget = { show(): PromiseLike<unknown> };

/**
 * Shows `widget` and packs it into the content box, like every widget of the original.
 *
 * @example
 * await add(context, await context.gtk.Label("Hello world!"));
 */
export async function add<W extends RemoteWidget>(context: PageContext, widget: W): Promise<W> {
  await widget.show();
  await context.content.pack_start(widget);
  return widget;
}
