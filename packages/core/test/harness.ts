/**
 * Shared test harness: connection pairs (in memory, with the raw transports for hold/inject),
 * and the leak check every connection test ends with — both sides' tables back to baseline
 * (FinalizationRegistry releases are driven by forcing a GC when --expose-gc is on), then
 * close, then every table empty and no call pending.
 */
import { expect, vi } from "vitest";
import { type ConnectOptions, type Connection, connectTransport } from "@rpyc/core";
import { type MemoryTransport, createMemoryTransportPair } from "@rpyc/core/testing";

export interface Pair<C = any, S = any> {
  client: Connection<C>;
  server: Connection<S>;
  clientEnd: MemoryTransport;
  serverEnd: MemoryTransport;
}

/** A connected in-memory pair, with its two transport ends. */
export async function memoryPair<C = any, S = any>(
  clientOptions: ConnectOptions = {},
  serverOptions: ConnectOptions = {},
): Promise<Pair<C, S>> {
  const [clientEnd, serverEnd] = createMemoryTransportPair();
  const [client, server] = await Promise.all([
    connectTransport<C>(clientEnd, clientOptions),
    connectTransport<S>(serverEnd, serverOptions),
  ]);
  return { client, server, clientEnd, serverEnd };
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Waits until `conns` hold no exports, no imports and no pending calls (forcing GC). */
export async function expectBaseline(...conns: Connection[]): Promise<void> {
  await vi.waitFor(
    () => {
      gc?.();
      for (const conn of conns)
        expect(conn.stats()).toEqual({
          exported: 0,
          imported: 0,
          pending: 0,
          held: 0,
          heldByPeer: 0,
        });
    },
    { timeout: 3000, interval: 20 },
  );
}

/** The leak check, then close both and check close cleared everything. */
export async function finish(...conns: Connection[]): Promise<void> {
  await expectBaseline(...conns);
  await Promise.all(conns.map((c) => c.close()));
  for (const conn of conns) {
    expect(conn.closed).toBe(true);
    expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 });
  }
}
