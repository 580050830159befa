// Connecting to a server that never sends a Hello (issue 11, item 13): the real Python RPyC
// server (Debian's python3-rpyc, see scripts/install-system-deps.sh) waits for its client to
// speak first. The handshake fails after its own timeout, and says what arrived.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../src/index.ts";

const PYTHON_SERVER = `
import rpyc
from rpyc.utils.server import ThreadedServer
server = ThreadedServer(rpyc.SlaveService, hostname="127.0.0.1", port=0)
server._listen()  # listening before the port is printed (start() skips it then)
print(server.port, flush=True)
server.start()
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function pythonRpycServer(): Promise<number> {
  const child = spawn("/usr/bin/python3", ["-c", PYTHON_SERVER], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = once(child, "exit");
  cleanups.push(async () => {
    child.kill();
    await exited;
  });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return Number(line);
}

async function netServer(onSocket: (socket: Socket) => void): Promise<number> {
  const server: NetServer = createServer((socket) => {
    socket.resume(); // read (and drop) what the client sends, so that its FIN is seen
    socket.on("error", () => undefined);
    onSocket(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

describe("a server that sends no Hello", () => {
  it("Python RPyC: HandshakeError after handshakeTimeout, saying nothing arrived", async () => {
    const port = await pythonRpycServer();
    const attempt = connect("127.0.0.1", port, { attempts: 1, config: { handshakeTimeout: 200 } });
    await expect(attempt).rejects.toMatchObject({
      code: "RPYC_ERR_HANDSHAKE",
      message: expect.stringMatching(/within 200 ms.*nothing arrived.*Python RPyC/),
    });
  });

  it("a partial frame: the error shows the bytes that arrived", async () => {
    const port = await netServer((socket) => {
      socket.write(Buffer.from([0, 0, 1, 0, 0xde, 0xad]));
    });
    const attempt = connect("127.0.0.1", port, { attempts: 1, config: { handshakeTimeout: 200 } });
    await expect(attempt).rejects.toMatchObject({
      code: "RPYC_ERR_HANDSHAKE",
      message: expect.stringContaining(
        "what arrived instead: 6 bytes, no whole frame: 00 00 01 00 de ad",
      ),
    });
  });

  it("a server that prints text: RPYC_ERR_NOT_RPYC naming the text", async () => {
    const port = await netServer((socket) => {
      socket.end("hello from a shell\n");
    });
    await expect(connect("127.0.0.1", port, { attempts: 1 })).rejects.toMatchObject({
      code: "RPYC_ERR_NOT_RPYC",
      message: expect.stringContaining('"hello from a she'),
    });
  });
});
