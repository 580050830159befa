/**
 * The floor: raw Node TCP with the hand-rolled frames of `floor-frames.ts`. Every workload is the
 * least a correct RPC could do: (d) is the two round trips a callback needs (request, the
 * server's call back, its answer, the reply); (f) is one round trip (the server walks the chain
 * itself), the best a pipelined chain can hope for.
 */
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import type { BenchServer, ClientDriver } from "../driver.ts";
import { EXPECTED, check, checkEcho, echoPayload } from "../driver.ts";
import {
  FrameReader,
  FrameType,
  HEADER_BYTES,
  allocFrame,
  frameId,
  frameNumber,
  frameType,
  sendBytes,
  sendNumber,
} from "./floor-frames.ts";

class Thing {
  constructor(readonly value: number) {}
  next(): Thing {
    return new Thing(this.value + 1);
  }
}

function serveSocket(socket: Socket): void {
  socket.setNoDelay(true);
  // Callbacks the server is waiting on: its callback id → the client's original request id.
  const awaitingCallback = new Map<number, number>();
  let nextCallbackId = 1;
  const reader = new FrameReader((body) => {
    const id = frameId(body);
    switch (frameType(body)) {
      case FrameType.Add:
        sendNumber(socket, FrameType.Result, id, body.readDoubleLE(5) + body.readDoubleLE(13));
        return;
      case FrameType.Echo:
        sendBytes(socket, FrameType.Bytes, id, body.subarray(5));
        return;
      case FrameType.CallMe: {
        const callbackId = nextCallbackId++;
        awaitingCallback.set(callbackId, id);
        sendNumber(socket, FrameType.Callback, callbackId);
        return;
      }
      case FrameType.CallbackResult: {
        const original = awaitingCallback.get(id);
        if (original === undefined) throw new Error("floor: unknown callback id");
        awaitingCallback.delete(id);
        sendNumber(socket, FrameType.Result, original, frameNumber(body) + 1);
        return;
      }
      case FrameType.GetValue:
        sendNumber(socket, FrameType.Result, id, EXPECTED.value);
        return;
      case FrameType.Chain:
        sendNumber(socket, FrameType.Result, id, new Thing(1).next().value);
        return;
      default:
        socket.destroy(new Error(`floor: unexpected frame type ${frameType(body)}`));
    }
  });
  socket.on("data", (chunk: Buffer) => reader.push(chunk));
  socket.on("error", () => socket.destroy());
}

export async function startServer(): Promise<BenchServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveSocket(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("floor: no port");
  return {
    port: address.port,
    connections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

export async function connectClient(port: number): Promise<ClientDriver> {
  const socket = connect({ host: "127.0.0.1", port, noDelay: true });
  await once(socket, "connect");
  const pending = new Map<number, (body: Buffer) => void>();
  let nextId = 1;
  const reader = new FrameReader((body) => {
    const id = frameId(body);
    if (frameType(body) === FrameType.Callback) {
      sendNumber(socket, FrameType.CallbackResult, id, EXPECTED.callbackArg);
      return;
    }
    const resolve = pending.get(id);
    if (resolve === undefined) throw new Error(`floor: reply to unknown id ${id}`);
    pending.delete(id);
    resolve(body);
  });
  socket.on("data", (chunk: Buffer) => reader.push(chunk));

  const request = (frame: Buffer, id: number): Promise<Buffer> =>
    new Promise((resolve) => {
      pending.set(id, resolve);
      socket.write(frame);
    });
  const requestNumber = async (type: FrameType): Promise<number> => {
    const id = nextId++;
    return frameNumber(await request(allocFrame(type, id, 0), id));
  };

  return {
    ops: {
      a: async () => {
        const id = nextId++;
        const frame = allocFrame(FrameType.Add, id, 16);
        frame.writeDoubleLE(1, HEADER_BYTES);
        frame.writeDoubleLE(2, HEADER_BYTES + 8);
        check(frameNumber(await request(frame, id)), EXPECTED.add, "add");
      },
      c: async () => {
        const id = nextId++;
        const reply = new Promise<Buffer>((resolve) => pending.set(id, resolve));
        const bytes = echoPayload();
        sendBytes(socket, FrameType.Echo, id, bytes);
        checkEcho(bytes, (await reply).subarray(5));
      },
      d: async () => check(await requestNumber(FrameType.CallMe), EXPECTED.callback, "callback"),
      e: async () => check(await requestNumber(FrameType.GetValue), EXPECTED.value, "value"),
      f: async () => check(await requestNumber(FrameType.Chain), EXPECTED.chain, "chain"),
    },
    close: async () => {
      socket.end();
      await once(socket, "close");
    },
  };
}
