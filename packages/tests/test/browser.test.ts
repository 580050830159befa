/**
 * A real browser: Debian chromium (driven by playwright-core) loads a page bundled with the ws
 * browser client, connects to a Node ws server, calls a method and receives callbacks.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { release, Service } from "@rpyc/core";
import { serve, type WsServer } from "@rpyc/transport-ws/server";
import { launchChromium, type TestBrowser } from "../src/chromium.ts";

const ENTRY = fileURLToPath(new URL("../fixtures/browser-client.ts", import.meta.url));

class BrowserService extends Service {
  greet(name: string): string {
    return `hello ${name}`;
  }
  async countdown(from: number, tick: (n: number) => unknown): Promise<string> {
    try {
      for (let n = from; n > 0; n--) await tick(n);
    } finally {
      release(tick);
    }
    return "liftoff";
  }
}

let wsServer: WsServer;
let pageServer: HttpServer;
let browser: TestBrowser;
let bundle: string;
let bundleInputs: string[];

beforeAll(async () => {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@rpyc/source"],
    metafile: true,
    logLevel: "silent",
  });
  bundle = result.outputFiles[0]!.text;
  bundleInputs = Object.keys(result.metafile.inputs);
  wsServer = await serve(BrowserService, { path: "/rpyc" });
  pageServer = createServer((request, response) => {
    if (request.url?.startsWith("/client.js")) {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(bundle);
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        '<!doctype html><title>rpyc-ts</title><script type="module" src="/client.js"></script>',
      );
    }
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  pageServer?.closeAllConnections();
  await new Promise((resolve) => pageServer?.close(resolve));
  await wsServer?.close({ timeout: 0 });
});

describe("browser client (chromium)", () => {
  it("bundles without Node built-ins or the ws package", () => {
    expect(bundleInputs.some((input) => input.includes("transport-ws/src/index.ts"))).toBe(true);
    expect(
      bundleInputs.filter((input) =>
        /node:|\/ws\/|transport-ws\/src\/(serve|connect-node)/.test(input),
      ),
    ).toEqual([]);
  });

  it("calls a method and receives callbacks from the Node server", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    const { port } = pageServer.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsServer.url)}`);
    const result = await page.evaluate(() => window.rpycResult);
    expect(problems).toEqual([]);
    expect(result).toEqual({
      greeting: "hello chromium",
      ticks: [3, 2, 1],
      result: "liftoff",
      stats: { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 },
      peerService: "BROWSER",
    });
    await vi.waitFor(() => expect(wsServer.socketCount).toBe(0), { timeout: 5000 });
    expect(wsServer.connections.size).toBe(0);
    await page.close();
  });
});
