/**
 * THE conformance suite in Debian chromium: bundled for the browser with its vitest calls
 * aliased to a small in-page runner (fixtures/browser-vitest.ts, vitest's own matchers), run
 * over the WebSocket client to a Node server and over MessagePorts to a dedicated worker.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type WsServer } from "@rpyc/transport-ws/server";
import { launchChromium, type TestBrowser } from "../src/chromium.ts";
import { ConformanceService } from "../src/conformance-service.ts";
import type { TestResult } from "../fixtures/browser-vitest.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fixture(entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@rpyc/source"],
    alias: { vitest: fixture("browser-vitest.ts") },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

let wsServer: WsServer;
let pageServer: HttpServer;
let browser: TestBrowser;

beforeAll(async () => {
  const [page, worker] = await Promise.all([
    bundle("browser-conformance.ts"),
    bundle("conformance-worker.ts"),
  ]);
  const scripts = new Map([
    ["/page.js", page],
    ["/worker.js", worker],
  ]);
  wsServer = await serve(ConformanceService, { path: "/rpyc" });
  pageServer = createServer((request, response) => {
    const script = scripts.get(request.url ?? "");
    if (script !== undefined) {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(script);
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        '<!doctype html><title>conformance</title><script type="module" src="/page.js"></script>',
      );
    }
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pageServer?.closeAllConnections();
  await new Promise((resolve) => pageServer?.close(resolve));
  await wsServer?.close({ timeout: 0 });
});

describe("the conformance suite in chromium", () => {
  it("passes every test over ws and over a worker's MessagePort", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.exposeFunction("serverSockets", () => wsServer.socketCount);
    const { port } = pageServer.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsServer.url)}`);
    const results: TestResult[] = await page.evaluate(() => window.conformanceResults);
    expect(problems).toEqual([]);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    const perTransport = (name: string) =>
      results.filter((r) => r.name.startsWith(`conformance over ${name}`));
    expect(perTransport("ws (chromium)").length).toBe(11);
    expect(perTransport("message-port to a worker (chromium)").length).toBe(11);
    expect(wsServer.connections.size).toBe(0);
    await page.close();
  }, 60_000);
});
