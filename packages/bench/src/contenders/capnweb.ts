/**
 * capnweb 0.12 over WebSocket (`ws` on both sides), written the way its README shows: an
 * `RpcTarget` server, `newWebSocketRpcSession` on each end, callbacks as plain functions,
 * attributes as getters, and the chain pipelined through `RpcPromise`s (one round trip).
 */
import { RpcTarget, newWebSocketRpcSession, type RpcStub } from "capnweb";
import { once } from "node:events";
import { WebSocket } from "ws";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { EXPECTED, check, checkEcho, echoPayload } from "../driver.ts";
import { startWsServer } from "./ws-server.ts";

// NOTE: capnweb reads the global `WebSocket` (for `WebSocket.CONNECTING`); Node 20 has none, so
// the `ws` class stands in, as capnweb's README does for its Node server.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

class Thing extends RpcTarget {
  readonly #value: number;
  constructor(value: number) {
    super();
    this.#value = value;
  }
  get value(): number {
    return this.#value;
  }
  next(): Thing {
    return new Thing(this.#value + 1);
  }
}

class BenchApi extends RpcTarget {
  add(a: number, b: number): number {
    return a + b;
  }
  echo(bytes: Uint8Array): Uint8Array {
    return bytes;
  }
  async callMe(fn: () => Promise<number>): Promise<number> {
    return (await fn()) + 1;
  }
  get value(): number {
    return EXPECTED.value;
  }
  make(): Thing {
    return new Thing(1);
  }
}

export function startServer(): Promise<BenchServer> {
  return startWsServer((socket) => {
    newWebSocketRpcSession(socket as never, new BenchApi());
  });
}

export async function connectClient(port: number): Promise<ClientDriver> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  await once(socket, "open");
  const api: RpcStub<BenchApi> = newWebSocketRpcSession<BenchApi>(socket as never);
  const callback = (): number => EXPECTED.callbackArg;
  return {
    ops: {
      a: async () => check(await api.add(1, 2), EXPECTED.add, "add"),
      c: async () => {
        const bytes = echoPayload();
        checkEcho(bytes, await api.echo(bytes));
      },
      d: async () => check(await api.callMe(callback as never), EXPECTED.callback, "callback"),
      e: async () => check(await api.value, EXPECTED.value, "value"),
      f: async () => {
        // Pipelined: make() and next() are never awaited; dispose them so the server forgets them.
        const made = api.make();
        const next = made.next();
        const value = await next.value;
        next[Symbol.dispose]();
        made[Symbol.dispose]();
        check(value, EXPECTED.chain, "chain");
      },
    },
    close: async () => {
      api[Symbol.dispose]();
      if (socket.readyState !== WebSocket.CLOSED) {
        socket.close();
        await once(socket, "close");
      }
    },
  };
}
