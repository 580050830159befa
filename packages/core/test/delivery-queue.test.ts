import { describe, expect, it } from "vitest";
import { DeliveryQueue, type DeliveryFailure } from "@rpyc/core";

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("DeliveryQueue", () => {
  it("delivers in order, one at a time", async () => {
    const got: number[] = [];
    const gates = [deferred(), deferred()];
    const q = new DeliveryQueue<number>(
      (n) => {
        got.push(n);
        return gates[n]?.promise;
      },
      () => expect.unreachable(),
    );
    q.push(0);
    q.push(1);
    q.push(2);
    expect(got).toEqual([0]);
    gates[0]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([0, 1]);
    gates[1]!.resolve();
    await q.idle();
    expect(got).toEqual([0, 1, 2]);
  });

  it("fails once when a callback rejects, and drops the rest", async () => {
    const failures: DeliveryFailure[] = [];
    const q = new DeliveryQueue<number>(
      () => Promise.reject(new Error("peer gone")),
      (f) => failures.push(f),
    );
    q.push(1);
    q.push(2);
    await q.idle();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      reason: "error",
      message: "the callback failed: peer gone",
    });
    expect(q.closed).toBe(true);
    expect(q.push(3)).toBe(false);
  });

  it("fails when the recipient falls maxQueued items behind", () => {
    const failures: DeliveryFailure[] = [];
    const q = new DeliveryQueue<number>(
      () => new Promise(() => {}),
      (f) => failures.push(f),
      { maxQueued: 2 },
    );
    expect(q.push(1)).toBe(true); // being delivered
    expect(q.push(2)).toBe(true);
    expect(q.push(3)).toBe(true);
    expect(q.push(4)).toBe(false);
    expect(failures.map((f) => f.reason)).toEqual(["overflow"]);
    q.close();
  });

  it("fails when one delivery takes longer than timeoutMs", async () => {
    const failed = deferred();
    const failures: DeliveryFailure[] = [];
    const q = new DeliveryQueue<number>(
      () => new Promise(() => {}),
      (f) => {
        failures.push(f);
        failed.resolve();
      },
      { timeoutMs: 20 },
    );
    q.push(1);
    await failed.promise;
    expect(failures[0]).toMatchObject({ reason: "timeout" });
  });
});
