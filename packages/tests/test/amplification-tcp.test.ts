/**
 * Output amplification: a small message naming many bad ids must cost work linear in its size
 * and get at most ONE coded error back, whatever its kind. On a real TCP server, with a control
 * client calling it every 20 ms throughout.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Service, type Connection } from "@rpyc/core";
import { type Message, MessageKind, Op, RefKind, WireRef } from "@rpyc/protocol";
import { connect, serve, type Server } from "@rpyc/transport-tcp";
import { rawTcpClient, startControl } from "../src/raw-tcp.ts";

class EchoService extends Service {
  echo(value: unknown) {
    return value;
  }
}

const IDS = 100_000;
let server: Server;
let control: Connection;

beforeAll(async () => {
  server = await serve(EchoService);
  control = await connect("127.0.0.1", server.port);
});

afterAll(async () => {
  await control?.close();
  await server?.close({ timeout: 0 });
  expect(server.socketCount).toBe(0);
});

/** Unknown ids 1000, 1001, … (the server never exported any). */
const unknownIds = () => Array.from({ length: IDS }, (_, i) => 1000 + i);

describe("one bad message, one error (real TCP server)", () => {
  it.each<[string, () => Message, number]>([
    [
      "a Release of 100,000 unknown ids",
      () => ({ kind: MessageKind.Release, ids: unknownIds(), counts: unknownIds().map(() => 1) }),
      1,
    ],
    [
      "a Forget of 100,000 unknown seqs",
      () => ({ kind: MessageKind.Forget, seqs: unknownIds() }),
      0,
    ],
    ["a Cancel of an unknown seq", () => ({ kind: MessageKind.Cancel, seq: 77 }), 0],
    [
      "a Take of a result never held",
      () => ({
        kind: MessageKind.Request,
        seq: 5,
        op: Op.Take,
        target: new WireRef(RefKind.Pending, 123_456),
      }),
      1,
    ],
  ])("%s gets at most one error", async (_, make, errors) => {
    const watch = startControl(control);
    const raw = await rawTcpClient(server.port);
    raw.send(make());
    // A Ping after it: its Pong says the server has handled the message before.
    raw.send({ kind: MessageKind.Ping, seq: 99 });
    await raw.next((m) => m.kind === MessageKind.Pong);
    const { answers } = await watch.stop();
    expect(answers).toBeGreaterThan(0);
    const errorsBack = raw.messages.filter((m) => m.kind === MessageKind.Error);
    expect(errorsBack).toHaveLength(errors);
    for (const error of errorsBack)
      expect((error as { error: { code?: unknown } }).error.code).toBe("RPYC_ERR_UNKNOWN_REF");
    expect(raw.messages.some((m) => m.kind === MessageKind.Close)).toBe(false);
    expect(await control.root.echo("after")).toBe("after");
    raw.socket.destroy();
    await raw.closed;
    await vi.waitFor(() => expect(server.socketCount).toBe(1));
  });

  it("names how many ids of the Release were bad, and the first", async () => {
    const raw = await rawTcpClient(server.port);
    raw.send({ kind: MessageKind.Release, ids: unknownIds(), counts: unknownIds().map(() => 1) });
    const error = (await raw.next((m) => m.kind === MessageKind.Error)) as {
      seq: number;
      error: { message: string };
    };
    expect(error.seq).toBe(-1);
    expect(error.error.message).toMatch(/100000 of the 100000 releases .* unknown export 1000\b/);
    raw.socket.destroy();
    await raw.closed;
  });
});
