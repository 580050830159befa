/**
 * A web site from memory: a fixed set of files, GET and HEAD only, anything else a 404 (or a
 * 405 for another method on a known path). Every answer forbids caching and sniffing and carries
 * the site's content security policy.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** An http request handler (for `http.createServer`). */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** One file of the site. */
export interface SiteFile {
  /** The content type, e.g. "text/html; charset=utf-8". */
  readonly type: string;
  readonly body: string;
}

/**
 * Returns the request handler serving `files` (keyed by path, e.g. "/" and "/page.js").
 *
 * @example
 * const http = createServer(createStaticSite(new Map([["/", { type: "text/html", body }]]), csp));
 */
export function createStaticSite(
  files: ReadonlyMap<string, SiteFile>,
  contentSecurityPolicy: string,
): SiteHandler {
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
      "content-security-policy": contentSecurityPolicy,
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
  };
}
