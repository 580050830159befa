/**
 * The server's pages, worded as the original's server.py. Every click handler below is a
 * server-side closure: the browser holds a netref to it and calls it on each click, and the
 * handler calls the browser's widgets back (nested calls on the same connection).
 */
import { ConnectionClosedError } from "@rpyc/core";
import { add, type PageBuilder, type PageContext } from "./page-context.ts";

/** A call that may race the page going away: a closed connection is the end, not an error. */
function ignoreClosed(error: unknown): void {
  if (!(error instanceof ConnectionClosedError)) throw error;
}

async function mainPage(context: PageContext): Promise<void> {
  const { gtk, browser, timers } = context;
  await add(context, await gtk.Label("Hello mate, this is the main page"));

  const addOne = await add(context, await gtk.Button("Add 1"));
  const clicks = await add(context, await gtk.Label("You have clicked the button 0 times"));
  let counter = 0;
  await addOne.connect("clicked", async () => {
    counter += 1;
    await clicks.set_text(`You have clicked the button ${counter} times`);
  });

  const hello = await add(context, await gtk.Button("Go to the 'hello world' page"));
  await hello.connect("clicked", async () => {
    await browser.navigate("/hello_world");
  });

  const toggle = await add(context, await gtk.Button("Start timer"));
  const time = await add(context, await gtk.Label("Server time is: ?"));
  let timer: ReturnType<typeof timers.every> | undefined;
  await toggle.connect("clicked", async () => {
    if (timer === undefined) {
      timer = timers.every(context.timerIntervalMs, () => {
        // Fire and forget, like the original's rpyc.async_: the next tick does not wait.
        time
          .set_text(`Server time is: ${new Date().toLocaleString("en-GB")}`)
          .then(undefined, ignoreClosed);
      });
      await toggle.set_label("Stop timer");
    } else {
      timers.stop(timer);
      timer = undefined;
      await toggle.set_label("Start timer");
    }
  });
}

async function helloWorldPage(context: PageContext): Promise<void> {
  await add(context, await context.gtk.Label("Hello world!"));
}

/** The pages of the original, by name. */
export const PAGES: ReadonlyMap<string, PageBuilder> = new Map([
  ["main", mainPage],
  ["hello_world", helloWorldPage],
]);

/**
 * The original's page names: spaces become underscores, lower case ("Hello World" → "hello_world").
 *
 * @example
 * normalizePageName(" Hello World "); // "hello_world"
 */
export function normalizePageName(name: string): string {
  return name.trim().replace(/ /g, "_").toLowerCase();
}

/** The page for any other name. */
export function missingPage(name: string): PageBuilder {
  return async (context) => {
    await add(context, await context.gtk.Label(`Page '${name}' does not exist`));
  };
}
