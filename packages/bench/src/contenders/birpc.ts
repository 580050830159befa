/**
 * birpc 4.2 over WebSocket (`ws`), JSON-serialised exactly as its README shows. birpc calls
 * named functions in both directions; it has no remote objects, so (e) and (f) are unsupported,
 * (c) sends the bytes as base64 strings (JSON has no bytes), and (d) is birpc's own idiom for a
 * callback: the server calls a function the client exposes.
 */
import { createBirpc, type BirpcReturn } from "birpc";
import { once } from "node:events";
import { WebSocket } from "ws";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { EXPECTED, check, checkEcho, echoPayload } from "../driver.ts";
import { startWsServer } from "./ws-server.ts";

interface ServerFunctions {
  add(a: number, b: number): number;
  echo(base64: string): string;
  callMe(): Promise<number>;
}

interface ClientFunctions {
  callback(): number;
}

/** birpc's channel over one `ws` socket, as in its README. */
function channel(socket: WebSocket) {
  return {
    post: (data: string) => socket.send(data),
    on: (fn: (data: unknown) => void) => void socket.on("message", fn),
    serialize: (value: unknown) => JSON.stringify(value),
    deserialize: (value: unknown) => JSON.parse(value as string) as unknown,
  };
}

export function startServer(): Promise<BenchServer> {
  return startWsServer((socket) => {
    const rpc: BirpcReturn<ClientFunctions, ServerFunctions> = createBirpc<
      ClientFunctions,
      ServerFunctions
    >(
      {
        add: (a, b) => a + b,
        echo: (base64) => base64,
        callMe: async (): Promise<number> => (await rpc.callback()) + 1,
      },
      channel(socket),
    );
  });
}

export async function connectClient(port: number): Promise<ClientDriver> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  await once(socket, "open");
  const rpc = createBirpc<ServerFunctions, ClientFunctions>(
    { callback: () => EXPECTED.callbackArg },
    channel(socket),
  );
  return {
    ops: {
      a: async () => check(await rpc.add(1, 2), EXPECTED.add, "add"),
      c: async () => {
        const bytes = echoPayload();
        const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
          "base64",
        );
        checkEcho(bytes, Buffer.from(await rpc.echo(base64), "base64"));
      },
      d: async () => check(await rpc.callMe(), EXPECTED.callback, "callback"),
    },
    unsupported: {
      e: "no remote objects or attributes",
      f: "no remote objects to chain",
    },
    close: async () => {
      rpc.$close();
      socket.close();
      await once(socket, "close");
    },
  };
}
