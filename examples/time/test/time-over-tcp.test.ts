import { release, type Connection, type Remote } from "@rpyc/core";
import {
  connectByService,
  createUdpRegistryClient,
  serveRegistry,
  type RegistryServer,
} from "@rpyc/registry";
import { connect, type Server } from "@rpyc/transport-tcp";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runTimeClient } from "../src/client.ts";
import { startTimeServer } from "../src/server.ts";
import type { Tick, TimeService } from "../src/time-service.ts";

/** Waits for a condition (events, not sleeps); generous, since CI runs every project at once. */
const until = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 5000, interval: 10 });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The server side of the one connection the server has. */
function serverSide(server: Server): Connection {
  const [conn] = server.connections;
  if (!conn) throw new Error("the server has no connection");
  return conn;
}

async function startPair() {
  const server = await startTimeServer({ port: 0 });
  cleanups.push(() => server.close());
  const client = await connect("127.0.0.1", server.port);
  cleanups.push(() => client.close());
  await until(() => expect(server.connections.size).toBe(1));
  const remote = serverSide(server);
  const baseline = { client: client.stats(), server: remote.stats() };
  /** Both sides' tables back to where they started: nothing leaked. */
  const backToBaseline = () =>
    until(() => {
      expect(client.stats()).toEqual(baseline.client);
      expect(remote.stats()).toEqual(baseline.server);
    });
  return { server, client, remote, root: client.root as Remote<TimeService>, backToBaseline };
}

describe("time service over real tcp", () => {
  it("tells the time and delivers three ticks, then nothing leaks", async () => {
    const { root, backToBaseline } = await startPair();
    const lines: string[] = [];
    const result = await runTimeClient(root, {
      ticks: 3,
      intervalMs: 20,
      print: (l) => lines.push(l),
    });
    expect(result.time).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect(Math.abs(result.utc - Date.now())).toBeLessThan(60_000);
    expect(result.ticks.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(lines).toContain("cancelled the subscription after 3 ticks");
    await backToBaseline();
  });

  it("keeps no timer after the client disconnects mid-subscription", async () => {
    const { root, client, remote } = await startPair();
    const service = remote.service as TimeService;
    let firstTick!: (tick: Tick) => void;
    const first = new Promise<Tick>((resolve) => (firstTick = resolve));
    await root.subscribe(20, (tick: Tick) => firstTick(tick));
    await root.subscribe(20, () => {});
    expect((await first).seq).toBe(1);
    expect(service._subscriptionCount()).toBe(2);
    await client.close();
    await until(() => expect(remote.closed).toBe(true));
    expect(service._subscriptionCount()).toBe(0);
  });

  it("sends refusals back as coded errors, and the connection stays usable", async () => {
    const { root, backToBaseline } = await startPair();
    await expect(root.subscribe(1, () => {})).rejects.toMatchObject({
      code: "RPYC_ERR_TIME_BAD_INTERVAL",
      message: expect.stringContaining("intervalMs must be a number from 10"),
    });
    expect(typeof (await root.getUtc())).toBe("number");
    await backToBaseline();
  });

  it("is found through a registry by its name, TIME", async () => {
    const registry: RegistryServer = await serveRegistry({
      mode: "udp",
      host: "127.0.0.1",
      port: 0,
    });
    cleanups.push(() => registry.close());
    const registryClient = createUdpRegistryClient({ host: "127.0.0.1", port: registry.port });
    const registered = new Promise((resolve) => registry.once("registered", resolve));
    const server = await startTimeServer({ port: 0, registrar: registryClient });
    cleanups.push(() => server.close());
    expect(await registered).toMatchObject({ names: ["TIME"], port: server.port });

    const conn = await connectByService("time", {
      registry: registryClient,
      connect: (host, port) => connect(host, port),
    });
    cleanups.push(() => conn.close());
    expect(conn.peerService).toBe("TIME");
    await until(() => expect(server.connections.size).toBe(1));
    const remote = serverSide(server);
    const baseline = { client: conn.stats(), server: remote.stats() };
    const sub = await (conn.root as Remote<TimeService>).subscribe(1000, () => {});
    expect(await sub.cancel()).toBe(0);
    release(sub);
    await until(() => {
      expect(conn.stats()).toEqual(baseline.client);
      expect(remote.stats()).toEqual(baseline.server);
    });
  });
});
