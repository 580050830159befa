/**
 * The web8 server (the original's server.py): serves the page (the "browser") over http and
 * the web8 service over WebSocket at `/web8`, on one port of one http server, so the page
 * connects to its own origin. Run it with `pnpm demo [--host 127.0.0.1] [--port 18833]`; the
 * first line it prints is the page's URL.
 */
import { bundlePage, createStaticSite, isMain } from "@rpyc-examples/web-kit";
import { serve, type WsServer } from "@rpyc/transport-ws/server";
import { readFile } from "node:fs/promises";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WEB8_PATH } from "../web/browser.ts";
import type { PageBuilder } from "./page-context.ts";
import { TimerRegistry } from "./page-timers.ts";
import { PAGES } from "./pages.ts";
import { web8ServiceFor } from "./web8-service.ts";

/** The original's port. */
export const DEFAULT_PORT = 18833;

const INDEX_HTML = fileURLToPath(new URL("../web/index.html", import.meta.url));
const PAGE_SCRIPT = fileURLToPath(new URL("../web/web8-page.ts", import.meta.url));
/** The page talks to any web8 server (that is what the address bar is for), nothing else. */
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; style-src 'unsafe-inline'";

export interface Web8ServerOptions {
  /** Interface to bind. Default "127.0.0.1". */
  host?: string;
  /** 0 picks a free port. Default 18833. */
  port?: number;
  /** Pages besides (or instead of) `main` and `hello_world`, by normalized name. */
  pages?: ReadonlyMap<string, PageBuilder>;
  /** The main page's timer period in ms. Default 1000. */
  timerIntervalMs?: number;
}

export interface Web8Server {
  readonly http: HttpServer;
  readonly ws: WsServer;
  /** The page timers running now, across all connections. */
  readonly timers: TimerRegistry;
  readonly port: number;
  /** The page's address, e.g. "http://127.0.0.1:18833/". */
  readonly url: string;
  /** Stops listening and closes every connection (their timers stop). */
  close(): Promise<void>;
}

/**
 * Bundles the page, then listens.
 *
 * @example
 * const web8 = await startWeb8Server({ port: 0 });
 * console.log(`open ${web8.url}`);
 * await web8.close();
 */
export async function startWeb8Server(options: Web8ServerOptions = {}): Promise<Web8Server> {
  const host = options.host ?? "127.0.0.1";
  const [html, script] = await Promise.all([readFile(INDEX_HTML, "utf8"), bundlePage(PAGE_SCRIPT)]);
  const page = { type: "text/html; charset=utf-8", body: html };
  const site = createStaticSite(
    new Map([
      ["/", page],
      ["/index.html", page],
      ["/web8-page.js", { type: "text/javascript; charset=utf-8", body: script }],
    ]),
    CSP,
  );
  const timers = new TimerRegistry();
  const service = web8ServiceFor({
    pages: new Map([...PAGES, ...(options.pages ?? [])]),
    timers,
    timerIntervalMs: options.timerIntervalMs ?? 1000,
  });
  const http = createServer(site);
  const ws = await serve(service, { server: http, path: WEB8_PATH });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    http,
    ws,
    timers,
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    async close() {
      await ws.close({ timeout: 0 });
      // Browsers keep idle http connections open; they must not hold the server up.
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(DEFAULT_PORT) },
    },
  });
  const web8 = await startWeb8Server({ host: values.host, port: Number(values.port) });
  console.log(web8.url);
  console.log(`web8: open the URL above, then Go (the address bar says localhost/main)`);
  const stop = () => {
    console.log("web8: stopping");
    void web8.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`web8: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
