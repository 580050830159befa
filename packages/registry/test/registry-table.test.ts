/**
 * The registry table on its own: an injected clock, no sockets.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_REGISTRY_LIMITS } from "../src/index.ts";
import { normalizeHost, RegistryTable, type RegistryChange } from "../src/registry-table.ts";

function table(maxEntries = 100) {
  let now = 0;
  const events: string[] = [];
  const log = (kind: string) => (c: RegistryChange) =>
    events.push(`${kind} ${c.name} ${c.host}:${c.port}${c.reason ? ` ${c.reason}` : ""}`);
  const t = new RegistryTable({
    pruneTimeoutMs: 100,
    limits: { ...DEFAULT_REGISTRY_LIMITS, maxEntries },
    now: () => now,
    onAdded: log("+"),
    onRemoved: log("-"),
  });
  return { t, events, advance: (ms: number) => void (now += ms) };
}

describe("RegistryTable", () => {
  it("keys entries by (name, host, port): the same port on two hosts is two endpoints", () => {
    const { t } = table();
    t.register(["time"], "10.0.0.1", 18861);
    t.register(["TIME"], "10.0.0.2", 18861);
    expect(t.query("TIME").map((e) => e.host)).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(t.unregister("10.0.0.1", 18861)).toBe(1);
    expect(t.query("TIME").map((e) => e.host)).toEqual(["10.0.0.2"]);
  });

  it("only unregisters the caller's own host", () => {
    const { t } = table();
    t.register(["TIME"], "10.0.0.1", 18861);
    expect(t.unregister("10.6.6.6", 18861)).toBe(0);
    expect(t.size).toBe(1);
  });

  it("de-duplicates names that differ only in case", () => {
    const { t, events } = table();
    expect(t.register(["time", "TIME", "Time"], "h", 1)).toEqual({
      added: ["TIME"],
      refreshed: [],
    });
    expect(events).toEqual(["+ TIME h:1"]);
    expect(t.size).toBe(1);
  });

  it("prunes every name on prune(), and only stale entries", () => {
    const { t, events, advance } = table();
    t.register(["A"], "h", 1);
    t.register(["B"], "h", 2);
    advance(60);
    t.register(["B"], "h", 2);
    advance(60);
    expect(t.prune()).toBe(1);
    expect(t.list()).toEqual(["B"]);
    expect(events).toEqual(["+ A h:1", "+ B h:2", "- A h:1 pruned"]);
  });

  it("filters the list by host", () => {
    const { t } = table();
    t.register(["A"], "10.0.0.1", 1);
    t.register(["B"], "10.0.0.2", 1);
    expect(t.list("10.0.0.2")).toEqual(["B"]);
  });

  it("normalises IPv4-mapped IPv6 addresses", () => {
    expect(normalizeHost("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(normalizeHost("::1")).toBe("::1");
  });
});
