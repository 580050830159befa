/**
 * One import name for both platforms: `@rpyc/transport-ws` resolves to the `ws` client on Node
 * (`node` condition) and to the platform-WebSocket client in browsers (`browser` condition).
 */
import { build, type Metafile } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Service, type Connection } from "@rpyc/core";
import * as main from "@rpyc/transport-ws";
import * as nodeEntry from "../src/node.ts";
import { serve, type WsServer } from "../src/server.ts";

class EchoService extends Service {
  echo(value: unknown): unknown {
    return value;
  }
}

/** The package's own files that esbuild bundles for `platform` from `import … "@rpyc/transport-ws"`. */
async function inputsFor(platform: "node" | "browser"): Promise<string[]> {
  const result = await build({
    stdin: {
      contents: 'export { connect } from "@rpyc/transport-ws";',
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
    },
    bundle: true,
    write: false,
    format: "esm",
    platform,
    conditions: ["@rpyc/source"],
    external: ["ws", "@rpyc/core"],
    metafile: true,
    logLevel: "silent",
  });
  return Object.keys((result.metafile as Metafile).inputs).filter((input) =>
    input.includes("transport-ws/src/"),
  );
}

let server: WsServer | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  await conn?.close();
  await server?.close();
  conn = server = undefined;
});

describe("export conditions", () => {
  it("gives Node the ws client under the package's own name, which works on Node 20", async () => {
    expect(main.connect).toBe(nodeEntry.connect);
    server = await serve(EchoService, { path: "/rpyc" });
    conn = await main.connect(server.url); // no options.WebSocket: Node 20 has no global one
    expect(await conn.root.echo("hi")).toBe("hi");
  });

  it("bundles the ws client for Node and the platform client for browsers", async () => {
    const node = await inputsFor("node");
    const browser = await inputsFor("browser");
    expect(node.some((input) => input.endsWith("connect-node.ts"))).toBe(true);
    expect(browser.some((input) => input.endsWith("connect-node.ts"))).toBe(false);
    expect(browser.some((input) => /load-ws|serve/.test(input))).toBe(false);
    expect(browser.some((input) => input.endsWith("src/index.ts"))).toBe(true);
  });
});

describe("dependencies", () => {
  it("lets a browser-only install skip ws and the native bufferutil (optional peers)", () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as Record<string, Record<string, unknown> | undefined>;
    for (const name of ["ws", "bufferutil"]) {
      expect(manifest.dependencies?.[name]).toBeUndefined();
      expect(manifest.optionalDependencies?.[name]).toBeUndefined();
      expect(manifest.peerDependencies?.[name]).toBeDefined();
      expect(manifest.peerDependenciesMeta?.[name]).toEqual({ optional: true });
    }
  });
});
