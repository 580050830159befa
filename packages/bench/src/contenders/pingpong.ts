/** Sanity check for the floor (README "The floor"): the least code that does (a) and (b) on `net`. */
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import type { BenchServer, ClientDriver } from "../driver.ts";

// Frames: [length u32 BE][id u32 BE][f64 LE]…; `onFrame` gets (chunk, offset of the id).
function frames(socket: Socket, onFrame: (c: Buffer, at: number) => void): void {
  let rest: Buffer = Buffer.alloc(0);
  socket.setNoDelay(true).on("data", (chunk: Buffer) => {
    const c = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    let at = 0;
    for (
      ;
      c.length - at >= 4 && c.length - at - 4 >= c.readUInt32BE(at);
      at += 4 + c.readUInt32BE(at)
    )
      onFrame(c, at + 4);
    rest = c.subarray(at);
  });
}
const frame = (id: number, ...xs: number[]): Buffer => {
  const f = Buffer.allocUnsafe(8 + 8 * xs.length);
  f.writeUInt32BE(4 + 8 * xs.length, 0);
  f.writeUInt32BE(id, 4);
  xs.forEach((x, i) => f.writeDoubleLE(x, 8 + 8 * i));
  return f;
};
export async function startServer(): Promise<BenchServer> {
  const server = createServer((s) =>
    frames(s, (c, at) =>
      s.write(frame(c.readUInt32BE(at), c.readDoubleLE(at + 4) + c.readDoubleLE(at + 12))),
    ),
  );
  await once(server.listen(0, "127.0.0.1"), "listening");
  return {
    port: (server.address() as { port: number }).port,
    close: async () => void server.close(),
  };
}
export async function connectClient(port: number): Promise<ClientDriver> {
  const socket = connect(port, "127.0.0.1");
  const pending = new Map<number, (sum: number) => void>();
  let next = 0;
  frames(socket, (c, at) => pending.get(c.readUInt32BE(at))!(c.readDoubleLE(at + 4)));
  await once(socket, "connect");
  const add = (a: number, b: number): Promise<number> =>
    new Promise((resolve) => {
      const id = next++ >>> 0;
      pending.set(id, (sum) => (pending.delete(id), resolve(sum)));
      socket.write(frame(id, a, b));
    });
  return {
    ops: {
      a: async () => {
        if ((await add(1, 2)) !== 3) throw new Error("pingpong: wrong sum");
      },
    },
    unsupported: { c: "sanity check: (a) and (b) only", d: "–", e: "–", f: "–" },
    close: async () => void socket.destroy(),
  };
}
