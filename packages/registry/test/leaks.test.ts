/**
 * Nothing outlives its owner: clients hold no socket or timer between calls, and a closed
 * registry leaves no socket or timer behind.
 */
import { describe, expect, it, vi } from "vitest";
import {
  createTcpRegistryClient,
  createUdpRegistryClient,
  ListingDisabledError,
  serveRegistry,
} from "../src/index.ts";

const HANDLES = new Set(["UDPWrap", "TCPSocketWrap", "TCPServerWrap", "Timeout"]);
const openHandles = () =>
  process
    .getActiveResourcesInfo()
    .filter((name) => HANDLES.has(name))
    .sort();

/**
 * No more handles of any kind than at `baseline`. Sockets close asynchronously, so wait for
 * them; handles from earlier tests may still be winding down (counts only go down: "≤").
 * vi.waitFor's own timers count as Timeouts, so timers are compared once it returned.
 */
async function expectBackTo(baseline: string[]) {
  const count = (names: string[], kind: string) => names.filter((n) => n === kind).length;
  await vi.waitFor(() => {
    const now = openHandles();
    for (const kind of ["UDPWrap", "TCPSocketWrap", "TCPServerWrap"]) {
      expect(count(now, kind), kind).toBeLessThanOrEqual(count(baseline, kind));
    }
  });
  expect(count(openHandles(), "Timeout")).toBeLessThanOrEqual(count(baseline, "Timeout"));
}

describe("resource leaks", () => {
  it.each(["udp", "tcp"] as const)(
    "%s: after calls (answered, refused, timed out) and close, no socket or timer is left",
    async (mode) => {
      const baseline = openHandles();
      const registry = await serveRegistry({ mode, host: "127.0.0.1", port: 0 });
      const options = { host: "127.0.0.1", port: registry.port, timeoutMs: 1000 };
      const client =
        mode === "udp" ? createUdpRegistryClient(options) : createTcpRegistryClient(options);
      await client.register(["TIME"], 1001);
      await client.discover("TIME");
      await expect(client.listServices()).rejects.toBeInstanceOf(ListingDisabledError);
      await client.unregister(1001);
      await registry.close();
      await expect(client.discover("TIME")).rejects.toMatchObject({
        code: "RPYC_ERR_REGISTRY_UNREACHABLE",
      });
      await expectBackTo(baseline);
    },
  );

  it.each(["udp", "tcp"] as const)(
    "%s: a registry that cannot bind (port in use) rejects and leaves nothing open",
    async (mode) => {
      const registry = await serveRegistry({ mode, host: "127.0.0.1", port: 0 });
      const baseline = openHandles();
      const err = await serveRegistry({ mode, host: "127.0.0.1", port: registry.port }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: "EADDRINUSE" });
      await expectBackTo(baseline);
      await registry.close();
    },
  );
});
