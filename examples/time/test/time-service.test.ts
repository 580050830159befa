import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatCtime } from "../src/format-ctime.ts";
import { DEFAULT_TIME_LIMITS, TimeService, type Tick } from "../src/time-service.ts";

describe("TimeService (plain, with an injected clock)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const at = new Date(2026, 10, 5, 9, 7, 3).getTime();

  it("tells the time in ctime words and as ms since the epoch", () => {
    const service = new TimeService({ now: () => at });
    expect(service.getTime()).toBe("Thu Nov  5 09:07:03 2026");
    expect(service.getUtc()).toBe(at);
    expect(formatCtime(new Date(2026, 0, 15, 23, 59, 59))).toBe("Thu Jan 15 23:59:59 2026");
  });

  it("ticks every interval until cancelled, then stops its timer", async () => {
    let now = at;
    const service = new TimeService({ now: () => now });
    const ticks: Tick[] = [];
    const sub = service.subscribe(1000, (t) => void ticks.push(t));
    now += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    now += 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks.map((t) => t.seq)).toEqual([1, 2]);
    expect(ticks[1]).toEqual({ seq: 2, time: formatCtime(new Date(at + 2000)), utc: at + 2000 });
    expect(sub.cancel()).toBe(2);
    expect(sub.isActive()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ticks).toHaveLength(2);
    expect(service._subscriptionCount()).toBe(0);
  });

  it("never overlaps ticks: the next waits for a slow callback", async () => {
    const service = new TimeService();
    let release!: () => void;
    const calls: number[] = [];
    service.subscribe(100, (t) => {
      calls.push(t.seq);
      return new Promise<void>((r) => (release = r));
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([1, 2]);
    service.onDisconnect();
  });

  it("ends a subscription whose callback throws", async () => {
    const service = new TimeService();
    const sub = service.subscribe(100, () => {
      throw new Error("client gone");
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(sub.isActive()).toBe(false);
    expect(service._subscriptionCount()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("cancels every subscription when the connection goes", () => {
    const service = new TimeService();
    service.subscribe(100, () => {});
    service.subscribe(200, () => {});
    expect(vi.getTimerCount()).toBe(2);
    service.onDisconnect();
    expect(vi.getTimerCount()).toBe(0);
    expect(service._subscriptionCount()).toBe(0);
  });

  it("refuses bad intervals, non-functions and too many subscriptions with coded errors", () => {
    const service = new TimeService({ limits: { maxSubscriptions: 1 } });
    for (const bad of [0, -5, Number.NaN, Infinity, "100", DEFAULT_TIME_LIMITS.maxIntervalMs + 1]) {
      expect(() => service.subscribe(bad as number, () => {})).toThrow(
        expect.objectContaining({ code: "RPYC_ERR_TIME_BAD_INTERVAL", name: "TimeError" }),
      );
    }
    expect(() => service.subscribe(100, "nope" as never)).toThrow(
      expect.objectContaining({ code: "RPYC_ERR_TIME_BAD_CALLBACK" }),
    );
    service.subscribe(100, () => {});
    expect(() => service.subscribe(100, () => {})).toThrow(
      expect.objectContaining({ code: "RPYC_ERR_TIME_TOO_MANY_SUBSCRIPTIONS" }),
    );
    service.onDisconnect();
  });
});
