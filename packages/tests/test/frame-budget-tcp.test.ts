/**
 * Frames inside every per-container limit that would build far more objects than their bytes
 * suggest (1-byte empty maps, by the million): the header scan refuses them against the
 * message's item budget (`maxItems`) before anything is built. On a real TCP server, with a
 * control client calling it every 20 ms throughout: the offender gets a coded Close, the
 * server's memory stays bounded, and the control client is never stalled for long.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Service, type Connection } from "@rpyc/core";
import { MessageKind, encodeFrame } from "@rpyc/protocol";
import { connect, serve, type Server } from "@rpyc/transport-tcp";
import { rawTcpClient, startControl } from "../src/raw-tcp.ts";

class EchoService extends Service {
  echo(value: unknown) {
    return value;
  }
}

const MiB = 1024 * 1024;
let server: Server;
let control: Connection;
const serverErrors: unknown[] = [];

beforeAll(async () => {
  server = await serve(EchoService, { onError: (error) => serverErrors.push(error) });
  control = await connect("127.0.0.1", server.port);
});

afterAll(async () => {
  await control?.close();
  await server?.close({ timeout: 0 });
  expect(server.socketCount).toBe(0);
});

/**
 * The frame of a Request `root.echo(arg)` whose one argument is `arrays` arrays of `perArray`
 * empty maps (0xa0, one byte each), written by hand: every array within maxArrayLength.
 */
function emptyMapsFrame(arrays: number, perArray: number, last = perArray): Uint8Array {
  // [1, 1, 4, <yours 0>, "echo", [ [ {}… ] × arrays ]]
  const prefix = Buffer.from("86010104d9b7fd00646563686f81", "hex");
  const parts: Uint8Array[] = [prefix, arrayHeader(arrays)];
  for (let i = 0; i < arrays; i++) {
    const count = i === arrays - 1 ? last : perArray;
    parts.push(arrayHeader(count), new Uint8Array(count).fill(0xa0));
  }
  return encodeFrame(Buffer.concat(parts));
}

function arrayHeader(count: number): Uint8Array {
  if (count < 24) return Uint8Array.of(0x80 + count);
  const header = Buffer.alloc(5);
  header[0] = 0x9a;
  header.writeUInt32BE(count, 1);
  return header;
}

describe("the item budget of one frame, on a real TCP server", () => {
  it.each([
    ["60 MiB: 63 arrays of 1,000,000 empty maps", 63, 1_000_000, 1_000_000],
    ["7.6 MiB: 7.6 million empty maps", 8, 1_000_000, 600_000],
  ])("refuses %s with a coded Close, bounded memory, no stall", async (_, arrays, per, last) => {
    const frame = emptyMapsFrame(arrays, per, last);
    const watch = startControl(control);
    const rssBefore = process.memoryUsage().rss;
    const { socket, closed } = await rawTcpClient(server.port);
    socket.write(frame);
    const messages = await closed;
    const close = messages.find((m) => m.kind === MessageKind.Close);
    expect(close).toMatchObject({ kind: MessageKind.Close, code: "RPYC_ERR_LIMIT_EXCEEDED" });
    expect((close as { reason?: string }).reason).toMatch(/maxItems/);
    expect(messages.filter((m) => m.kind === MessageKind.Error)).toEqual([]);
    const { longestMs, peakRss, answers } = await watch.stop();
    expect(answers).toBeGreaterThan(0);
    // The frame itself (and the raw client's copy) is all that may be held: not an object
    // per byte. Before the budget, the 7.6 MiB frame alone cost +900 MiB and a 5 s stall.
    expect(peakRss - rssBefore).toBeLessThan(frame.length * 2 + 64 * MiB);
    expect(longestMs).toBeLessThan(2000);
    expect(await control.root.echo("after")).toBe("after");
    await vi.waitFor(() => expect(server.socketCount).toBe(1));
    expect(serverErrors.splice(0).map((e) => (e as { code?: unknown }).code)).toEqual([
      "RPYC_ERR_LIMIT_EXCEEDED",
    ]);
  });
});
