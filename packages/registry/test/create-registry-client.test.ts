import { afterEach, describe, expect, it } from "vitest";
import { createRegistryClient, serveRegistry, type RegistryServer } from "../src/index.ts";

const servers: RegistryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("createRegistryClient", () => {
  it.each(["udp", "tcp"] as const)("builds a %s client from a URL", async (mode) => {
    const server = await serveRegistry({ mode, host: "127.0.0.1", port: 0 });
    servers.push(server);
    const client = createRegistryClient(`${mode}://127.0.0.1:${server.port}`);
    await client.register(["TIME"], 1001);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1001]);
  });

  it.each(["udp:127.0.0.1:PORT", "127.0.0.1:PORT", "UDP://127.0.0.1:PORT/"])(
    "accepts the short form %s",
    async (form) => {
      const server = await serveRegistry({ mode: "udp", host: "127.0.0.1", port: 0 });
      servers.push(server);
      const client = createRegistryClient(form.replace("PORT", String(server.port)));
      expect(await client.discover("TIME")).toEqual([]);
    },
  );

  it("understands bracketed IPv6 hosts", async () => {
    const server = await serveRegistry({ mode: "tcp", host: "::1", port: 0 });
    servers.push(server);
    const client = createRegistryClient(`tcp://[::1]:${server.port}`);
    expect(await client.discover("TIME")).toEqual([]);
  });

  it.each([
    "redis://127.0.0.1",
    "udp://",
    "not a url",
    "tcp://host:1/path",
    "tcp://host:99999",
    "",
  ])("rejects %s with a coded error", (url) => {
    expect(() => createRegistryClient(url)).toThrow(
      expect.objectContaining({ code: "RPYC_ERR_REGISTRY_BAD_URL" }),
    );
  });
});
