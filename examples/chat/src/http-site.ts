/**
 * The chat's web site: the page and its script, from memory. Anything else is a 404; only GET
 * and HEAD are answered. The WebSocket endpoint shares this http server (see server.ts).
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { buildChatPage } from "./web-bundle.ts";

const INDEX_HTML = fileURLToPath(new URL("../web/index.html", import.meta.url));

/** An http request handler for the chat page. */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Loads the page and bundles its script, then returns the request handler.
 *
 * @example
 * const http = createServer(await createChatSite());
 */
export async function createChatSite(): Promise<SiteHandler> {
  const [html, script] = await Promise.all([readFile(INDEX_HTML, "utf8"), buildChatPage()]);
  const files = new Map([
    ["/", { type: "text/html; charset=utf-8", body: html }],
    ["/index.html", { type: "text/html; charset=utf-8", body: html }],
    ["/chat-page.js", { type: "text/javascript; charset=utf-8", body: script }],
  ]);
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const file = files.get(path);
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(file ? 405 : 404, { "content-type": "text/plain; charset=utf-8" });
      res.end(file ? "method not allowed\n" : "not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": file.type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy":
        "default-src 'self'; connect-src 'self'; style-src 'unsafe-inline'",
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
  };
}
