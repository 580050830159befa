/**
 * The registry server itself: listing on/off, limits, counters, and hostile input over real
 * UDP and TCP sockets on 127.0.0.1.
 */
import dgram from "node:dgram";
import net from "node:net";
import { encode } from "cbor-x";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createTcpRegistryClient,
  createUdpRegistryClient,
  ListingDisabledError,
  RegistryError,
  serveRegistry,
  type RegistryServer,
} from "../src/index.ts";
import { encodeFrame as frame } from "@rpyc/protocol";

const servers: RegistryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(mode: "udp" | "tcp", options: Parameters<typeof serveRegistry>[0] = {}) {
  const server = await serveRegistry({ mode, host: "127.0.0.1", port: 0, ...options });
  servers.push(server);
  const clientOptions = { host: "127.0.0.1", port: server.port, timeoutMs: 2000 };
  const client =
    mode === "udp"
      ? createUdpRegistryClient(clientOptions)
      : createTcpRegistryClient(clientOptions);
  return { server, client };
}

describe.each(["udp", "tcp"] as const)("registry server over %s", (mode) => {
  it("refuses LIST by default with ListingDisabledError, and still answers queries", async () => {
    const { server, client } = await start(mode);
    expect(server.allowListing).toBe(false);
    await client.register(["TIME"], 18861);
    const err = await client.listServices().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListingDisabledError);
    expect(err).toMatchObject({ code: "RPYC_ERR_LISTING_DISABLED" });
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([18861]);
    expect(server.stats()).toMatchObject({ rejected: 1, entries: 1 });
  });

  it("answers LIST when listing is allowed", async () => {
    const { client } = await start(mode, { allowListing: true });
    await client.register(["TIME", "CLOCK"], 18861);
    expect(await client.listServices()).toEqual(["CLOCK", "TIME"]);
  });

  it("refuses registrations past maxEntries as a whole, and takes them again after pruning", async () => {
    let now = 0;
    const { server, client } = await start(mode, {
      limits: { maxEntries: 3 },
      now: () => now,
      pruneTimeoutMs: 1000,
    });
    await client.register(["A", "B"], 1001);
    await expect(client.register(["C", "D"], 1002)).rejects.toMatchObject({
      code: "RPYC_ERR_REGISTRY_FULL",
    });
    expect(await client.discover("C")).toEqual([]); // nothing half-registered
    await client.register(["A", "B"], 1001); // refreshing needs no room
    now += 2000;
    await client.register(["C", "D"], 1002); // the stale ones are pruned to make room
    expect(server.stats().entries).toBe(2);
  });

  it("cuts a reply that exceeds the reply limit, dropping the oldest endpoints", async () => {
    const limit = 200;
    const { server, client } = await start(mode, {
      limits: { maxUdpReplyBytes: limit, maxTcpReplyBytes: limit },
    });
    for (let port = 1001; port <= 1030; port++) await client.register(["TIME"], port);
    const endpoints = await client.discover("TIME");
    expect(endpoints.length).toBeGreaterThan(0);
    expect(endpoints.length).toBeLessThan(30);
    expect(endpoints.at(-1)?.port).toBe(1030); // the newest survive
    expect(server.stats().truncated).toBe(1);
  });

  it("emits registered for every REGISTER, refreshes included", async () => {
    const { server, client } = await start(mode);
    const events: unknown[] = [];
    server.on("registered", (e) => events.push(e));
    await client.register(["time"], 1001);
    await client.register(["TIME"], 1001);
    expect(events).toEqual([
      { names: ["TIME"], host: "127.0.0.1", port: 1001, added: ["TIME"] },
      { names: ["TIME"], host: "127.0.0.1", port: 1001, added: [] },
    ]);
  });

  it("prunes stale entries on its timer, without any query", async () => {
    let now = 0;
    const { server, client } = await start(mode, {
      now: () => now,
      pruneTimeoutMs: 1000,
      pruneIntervalMs: 5,
    });
    await client.register(["TIME"], 1001);
    const removed = new Promise((resolve) => server.once("removed", resolve));
    now += 1001;
    expect(await removed).toEqual({
      name: "TIME",
      host: "127.0.0.1",
      port: 1001,
      reason: "pruned",
    });
    expect(server.stats().entries).toBe(0);
  });

  it("serves IPv6 (::1), recording the IPv6 source address", async () => {
    const server = await serveRegistry({ mode, host: "::1", port: 0 });
    servers.push(server);
    const options = { host: "::1", port: server.port };
    const client =
      mode === "udp" ? createUdpRegistryClient(options) : createTcpRegistryClient(options);
    await client.register(["TIME"], 1001);
    expect((await client.discover("TIME")).map((e) => `${e.host} ${e.port}`)).toEqual(["::1 1001"]);
  });

  it("frees its port on close (a new registry can bind it), and close is idempotent", async () => {
    const { server } = await start(mode);
    const port = server.port;
    await server.close();
    await server.close();
    const again = await serveRegistry({ mode, host: "127.0.0.1", port });
    servers.push(again);
    expect(again.port).toBe(port);
  });
});

describe("hostile input over udp", () => {
  it("drops and counts malformed, unknown and oversize datagrams, and keeps answering", async () => {
    const { server, client } = await start("udp");
    const dropped: string[] = [];
    server.on("dropped", (e) => dropped.push(e.reason));
    const junk = [
      Buffer.from("not cbor at all \xff\xfe"), // malformed (CBOR of something else, or an error)
      Buffer.from([0xff]), // a lone break byte: not CBOR
      encode(["RPYC", 1, 5, "QUERY"]), // wrong arity
      encode(["XXXX", 1, 5, "QUERY", ["TIME"]]), // bad magic
      encode(["RPYC", 2, 5, "QUERY", ["TIME"]]), // unsupported version
      encode(["RPYC", 1, -1, "QUERY", ["TIME"]]), // bad id
      encode(["RPYC", 1, 5, "REGISTER", ["TIME", 1001]]), // names not an array
      encode(["RPYC", 1, 5, "EXPLODE", []]), // unknown command
      Buffer.alloc(2000, 0x41), // oversize
      Buffer.alloc(0), // empty
    ];
    const socket = dgram.createSocket("udp4");
    const answers: Buffer[] = [];
    socket.on("message", (msg) => answers.push(msg));
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    for (const datagram of junk) socket.send(datagram, server.port, "127.0.0.1");
    await vi.waitFor(() => expect(server.stats().received).toBe(junk.length));
    expect(server.stats()).toMatchObject({
      malformed: 8,
      unknownCommand: 1,
      oversize: 1,
      answered: 0,
    });
    expect(dropped).toHaveLength(junk.length);
    await client.register(["TIME"], 1001);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1001]);
    expect(answers).toEqual([]); // nothing was ever sent back to the junk sender
    await new Promise<void>((resolve) => socket.close(resolve));
  });
});

describe("hostile input over tcp", () => {
  async function rawExchange(
    port: number,
    bytes: Uint8Array,
  ): Promise<{ closed: boolean; received: number }> {
    const socket = net.connect(port, "127.0.0.1");
    let received = 0;
    socket.on("data", (d) => (received += d.length));
    socket.on("error", () => {});
    socket.write(bytes);
    await new Promise((resolve) => socket.once("close", resolve));
    return { closed: true, received };
  }

  it("closes a connection that sends junk, an unknown command or an oversize prefix, and keeps serving", async () => {
    const { server, client } = await start("tcp");
    expect(await rawExchange(server.port, frame(Buffer.from([0xff, 0x00])))).toEqual({
      closed: true,
      received: 0,
    });
    expect(await rawExchange(server.port, frame(encode(["RPYC", 1, 5, "EXPLODE", []])))).toEqual({
      closed: true,
      received: 0,
    });
    // A 4 GiB length prefix: refused on the prefix, nothing buffered.
    expect(await rawExchange(server.port, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))).toEqual({
      closed: true,
      received: 0,
    });
    expect(server.stats()).toMatchObject({
      malformed: 1,
      unknownCommand: 1,
      oversize: 1,
      answered: 0,
    });
    await client.register(["TIME"], 1001);
    expect((await client.discover("TIME")).map((e) => e.port)).toEqual([1001]);
  });

  it("disconnects a client that sends half a request and goes quiet", async () => {
    const { server } = await start("tcp", { limits: { tcpIdleTimeoutMs: 50 } });
    const result = await rawExchange(server.port, Buffer.from([0, 0, 0, 10, 1]));
    expect(result).toEqual({ closed: true, received: 0 });
  });

  it("answers several requests on one connection, each in its own frame", async () => {
    const { server } = await start("tcp");
    const socket = net.connect(server.port, "127.0.0.1");
    const q = (id: number) => frame(encode(["RPYC", 1, id, "QUERY", ["TIME"]]));
    const chunks: Buffer[] = [];
    socket.on("data", (d) => chunks.push(d));
    socket.write(Buffer.concat([q(1), q(2)]));
    await vi.waitFor(() =>
      expect(Buffer.concat(chunks).length).toBeGreaterThanOrEqual(2 * 4 + 2 * 10),
    );
    expect(server.stats().answered).toBe(2);
    socket.destroy();
  });
});

describe("client-side checks", () => {
  it("refuses a request over maxRequestBytes before sending it", async () => {
    const { server, client } = await start("udp", { limits: { maxNamesPerRegister: 100 } });
    const names = Array.from({ length: 30 }, (_, i) => `SERVICE_${i}_${"X".repeat(60)}`);
    const big = createUdpRegistryClient({
      host: "127.0.0.1",
      port: server.port,
      limits: { maxNamesPerRegister: 100 },
    });
    await expect(big.register(names, 1001)).rejects.toBeInstanceOf(RegistryError);
    await expect(client.register(names, 1001)).rejects.toMatchObject({
      code: "RPYC_ERR_REGISTRY_BAD_REQUEST",
    });
    expect(server.stats().received).toBe(0);
  });
});
