/**
 * The chat's web site: the page and its script (bundled at startup, so it always matches the
 * source), served from memory by web-kit. The WebSocket endpoint shares this http server (see
 * server.ts).
 */
import { bundlePage, createStaticSite, type SiteHandler } from "@rpyc-examples/web-kit";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const INDEX_HTML = fileURLToPath(new URL("../web/index.html", import.meta.url));
const PAGE_SCRIPT = fileURLToPath(new URL("../web/chat-page.ts", import.meta.url));

/**
 * Loads the page and bundles its script, then returns the request handler.
 *
 * @example
 * const http = createServer(await createChatSite());
 */
export async function createChatSite(): Promise<SiteHandler> {
  const [html, script] = await Promise.all([readFile(INDEX_HTML, "utf8"), bundlePage(PAGE_SCRIPT)]);
  const page = { type: "text/html; charset=utf-8", body: html };
  return createStaticSite(
    new Map([
      ["/", page],
      ["/index.html", page],
      ["/chat-page.js", { type: "text/javascript; charset=utf-8", body: script }],
    ]),
    "default-src 'self'; connect-src 'self'; style-src 'unsafe-inline'",
  );
}
