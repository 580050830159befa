/**
 * The service both rpyc-ts contenders (tcp, ws) serve, and their shared client driver: the
 * workloads written the way the rpyc-ts README teaches them (one `await` per remote operation).
 */
import { Service, release, type Connection } from "@rpyc/core";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { EXPECTED, check, checkEcho, echoPayload } from "../driver.ts";

/** Goes by reference (a class instance); `value` is an accessor, so the default policy exposes it. */
export class Thing {
  readonly #value: number;
  constructor(value: number) {
    this.#value = value;
  }
  get value(): number {
    return this.#value;
  }
  next(): Thing {
    return new Thing(this.#value + 1);
  }
}

export class BenchService extends Service {
  add(a: number, b: number): number {
    return a + b;
  }
  echo(bytes: Uint8Array): Uint8Array {
    return bytes;
  }
  async callMe(fn: () => number | Promise<number>): Promise<number> {
    return (await fn()) + 1;
  }
  get value(): number {
    return EXPECTED.value;
  }
  make(): Thing {
    return new Thing(1);
  }
  /** Memory run: `count` fresh objects, each crossing the wire as a netref. */
  makeMany(count: number): Thing[] {
    const things: Thing[] = [];
    for (let i = 0; i < count; i++) things.push(new Thing(i));
    return things;
  }
}

/** Reference tables of a connection (for the memory run's baseline check). */
export function tableSizes(conn: Connection): Record<string, number> {
  const { exported, imported, pending, held, heldByPeer } = conn.stats();
  return { exported, imported, pending, held, heldByPeer };
}

/** Tables summed over connections (a server's). */
export function sumTables(conns: Iterable<Connection>): Record<string, number> {
  const sum = { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 };
  for (const conn of conns) {
    const t = conn.stats();
    sum.exported += t.exported;
    sum.imported += t.imported;
    sum.pending += t.pending;
    sum.held += t.held;
    sum.heldByPeer += t.heldByPeer;
  }
  return sum;
}

export function rpycDriver(conn: Connection<BenchService>): ClientDriver {
  const root = conn.root;
  const callback = (): number => EXPECTED.callbackArg;
  return {
    ops: {
      a: async () => check(await root.add(1, 2), EXPECTED.add, "add"),
      c: async () => {
        const bytes = echoPayload();
        checkEcho(bytes, await root.echo(bytes));
      },
      d: async () => check(await root.callMe(callback), EXPECTED.callback, "callback"),
      e: async () => check(await root.value, EXPECTED.value, "value"),
      f: async () => check(await root.make().next().value, EXPECTED.chain, "chain"),
    },
    churn: async (count, batch) => {
      for (let done = 0; done < count; done += batch) {
        const things = await root.makeMany(Math.min(batch, count - done));
        for (const thing of things) release(thing);
      }
      // One more round trip: the server has handled every release before it answers.
      check(await root.add(0, 0), 0, "add");
    },
    tables: () => tableSizes(conn),
    close: () => conn.close(),
  };
}

/** `serve()` options both rpyc-ts servers use: above the memory run's 5,000 idle connections. */
export const SERVE_OPTIONS = { host: "127.0.0.1", port: 0, maxConnections: 20_000 } as const;

/** What the orchestrator needs from an rpyc-ts server (tcp or ws: the same shape). */
export function benchServer(server: {
  readonly port: number;
  readonly connections: ReadonlySet<Connection>;
  close(options: { timeout: number }): Promise<void>;
}): BenchServer {
  return {
    port: server.port,
    connections: () => server.connections.size,
    tables: () => sumTables(server.connections),
    close: () => server.close({ timeout: 0 }),
  };
}
