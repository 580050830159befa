/**
 * `conn.whenIdle()` and `closeGracefully`: a closing server lets running calls finish, then
 * closes; past the deadline it closes anyway. Driven by gates the test opens, never by sleeps.
 */
import { describe, expect, it, vi } from "vitest";
import { Service, closeGracefully, connectPair, waitAtMost } from "@rpyc/core";
import { finish } from "./harness.ts";

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const gates: { promise: Promise<void>; open: () => void }[] = [];

class Slow extends Service {
  async work(n: number) {
    const g = gate();
    gates.push(g);
    await g.promise;
    return n;
  }
  quick() {
    return 1;
  }
}

describe("whenIdle and closeGracefully", () => {
  it("waitAtMost: settles with its promise (even a rejected one) or at its time, no timer left", async () => {
    const clear = vi.spyOn(globalThis, "clearTimeout");
    await waitAtMost(Promise.reject(new Error("ignored")), 60_000); // would time out in a minute
    expect(clear).toHaveBeenCalledTimes(1);
    await waitAtMost(new Promise(() => undefined), 1); // never settles: the time wins
    expect(clear).toHaveBeenCalledTimes(2);
    clear.mockRestore();
  });

  it("whenIdle resolves at once when idle, else when the last running call is answered", async () => {
    gates.length = 0;
    const [client, server] = await connectPair({}, { service: Slow });
    await server.whenIdle();
    const calls = [client.root.work(1), client.root.work(2)];
    await expect.poll(() => server.serving).toBe(2);
    let idle = false;
    const idled = server.whenIdle().then(() => (idle = true));
    gates[0]!.open();
    expect(await calls[0]).toBe(1);
    expect(idle).toBe(false); // one call still runs
    gates[1]!.open();
    expect(await calls[1]).toBe(2);
    await idled;
    expect(server.serving).toBe(0);
    await finish(client, server);
  });

  it("a long-running call keeps its slot while hundreds of calls come and go", async () => {
    gates.length = 0;
    const [client, server] = await connectPair({}, { service: Slow });
    const slow = client.root.work(99);
    await expect.poll(() => server.serving).toBe(1);
    for (let i = 0; i < 300; i++) expect(await client.root.quick()).toBe(1); // wraps the ring
    gates[0]!.open();
    expect(await slow).toBe(99);
    await finish(client, server);
  });

  it("closes an idle connection at once and a busy one when its call is done", async () => {
    gates.length = 0;
    const [idleClient, idleServer] = await connectPair({}, { service: Slow });
    const [busyClient, busyServer] = await connectPair({}, { service: Slow });
    const call = busyClient.root.work(7);
    await expect.poll(() => busyServer.serving).toBe(1);
    const closing = closeGracefully([idleServer, busyServer], Date.now() + 60_000);
    await expect.poll(() => idleServer.closed).toBe(true);
    expect(busyServer.closed).toBe(false);
    gates[0]!.open();
    expect(await call).toBe(7); // the running call was answered before the close
    await closing;
    expect(busyServer.closed).toBe(true);
    await finish(idleClient, idleServer, busyClient, busyServer);
  });

  it("past the deadline a busy connection is closed anyway; its call fails", async () => {
    gates.length = 0;
    const [client, server] = await connectPair({}, { service: Slow });
    const call = client.root.work(1).then(
      () => "answered",
      (err: Error) => err.name,
    );
    await expect.poll(() => server.serving).toBe(1);
    await closeGracefully([server], Date.now() - 1);
    expect(server.closed).toBe(true);
    expect(await call).toBe("ConnectionClosedError");
    gates[0]!.open();
    await finish(client, server);
  });
});
