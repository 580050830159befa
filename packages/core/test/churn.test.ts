/**
 * Churn: 100,000 netrefs created across the wire (50,000 each way) and dropped without an
 * explicit release. Forced GCs (--expose-gc, see vitest.config.ts) let the FinalizationRegistry
 * backstop release them in batches; both tables must return to baseline.
 */
import { describe, expect, it } from "vitest";
import { Service, connectPair } from "@rpyc/core";
import { expectBaseline, finish } from "./harness.ts";

class Item {
  constructor(readonly n: number) {}
  get value() {
    return this.n;
  }
}

class Factory extends Service {
  // Takes 1,000 callbacks (netrefs into the client) and returns 1,000 new objects (netrefs into
  // the server): 2,000 netrefs per call, none kept by anyone.
  make(callbacks: ((n: number) => unknown)[]) {
    return callbacks.map((_, i) => new Item(i));
  }
}

describe("netref churn", () => {
  it(
    "100,000 netrefs created and dropped return both tables to baseline",
    { timeout: 60_000 },
    async () => {
      expect(typeof (globalThis as { gc?: unknown }).gc).toBe("function");
      const [client, server] = await connectPair({}, { service: Factory });
      // In its own frame, so that no suspended frame keeps the last batch alive.
      const churn = async () => {
        let received = 0;
        for (let round = 0; round < 50; round++) {
          const callbacks = Array.from({ length: 1000 }, () => (x: number) => x);
          const items = await client.root.make(callbacks);
          received += items.length;
        }
        return received;
      };
      expect(await churn()).toBe(50_000);
      expect(client.stats().imported + server.stats().imported).toBeGreaterThan(0); // not yet collected
      await expectBaseline(client, server);
      await finish(client, server);
    },
  );
});
