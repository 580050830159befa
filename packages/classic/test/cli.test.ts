/**
 * The `rpyc-classic` command as a child process on 127.0.0.1: its modes (oneshot's two lines,
 * threaded, forking's isolated namespaces, stdio, a 0600 unix socket), its token rules (none →
 * refused, wrong → refused, --token-file written 0600 then read back), the loopback-only rule,
 * the audit log, and a clean exit on SIGINT/SIGTERM. Every client ends at the baseline.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { release, type ConnectionStats } from "@rpyc/core";
import {
  connectClassic,
  connectClassicSubprocess,
  connectClassicUnix,
  type ClassicConnection,
} from "../src/index.ts";
import { listeningPort, runClassic } from "./run-command.ts";

const BASELINE: ConnectionStats = { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rpyc-classic-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Pipelined intermediates (`modules.os` in `modules.os.platform()`) are held until their remote
// promise is collected: the leak check collects garbage to see them go.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Closes `classic` after checking it holds only its session, and that close clears it. */
async function closeClean(classic: ClassicConnection): Promise<void> {
  await vi.waitFor(() => {
    gc();
    expect(classic.stats()).toEqual({ ...BASELINE, imported: 1 });
  });
  await classic.close();
  expect(classic.stats()).toEqual(BASELINE);
}

// Each test pays a tsx start-up of its children (seconds on a busy 2-core machine): a long timeout.
describe.concurrent("rpyc-classic", { timeout: 60_000 }, () => {
  it("-m oneshot prints rpyc-oneshot and host<TAB>port, serves one client, then exits 0", async () => {
    const server = runClassic(["-m", "oneshot", "-p", "0", "--token", "t0ken-oneshot"]);
    const [, host, port] = await vi.waitFor(
      () => {
        const match = /^rpyc-oneshot\n(127\.0\.0\.1)\t(\d+)\n$/.exec(server.out());
        if (match === null) throw new Error(`no oneshot lines yet: ${server.out()}${server.err()}`);
        return match;
      },
      { timeout: 45_000, interval: 20 },
    );
    const classic = await connectClassic(host!, Number(port), {
      token: "t0ken-oneshot",
      attempts: 1,
    });
    await classic.execute("var answer = 41");
    expect(await classic.eval("answer + 1")).toBe(42);
    const pid = await classic.teleport(() => process.pid);
    expect(await pid()).toBe(server.child.pid);
    release(pid);
    await closeClean(classic);
    expect(await server.exited).toBe(0);
    // Every eval, execute and teleport is logged, with the peer's address.
    expect(server.err()).toMatch(/rpyc-classic 127\.0\.0\.1:\d+ execute: "var answer = 41"/);
    expect(server.err()).toMatch(/rpyc-classic 127\.0\.0\.1:\d+ eval: "answer \+ 1"/);
    expect(server.err()).toMatch(/rpyc-classic 127\.0\.0\.1:\d+ teleport: "\(\) => process\.pid"/);
  });

  it("refuses clients without the token or with a wrong one, and stops on SIGTERM", async () => {
    const server = runClassic(["-p", "0", "--token", "right-token"]);
    const port = await listeningPort(server);
    await expect(connectClassic("127.0.0.1", port, { attempts: 1 })).rejects.toMatchObject({
      code: "RPYC_ERR_AUTHENTICATION",
      message: expect.stringContaining("a token is required"),
    });
    await expect(
      connectClassic("127.0.0.1", port, { token: "wrong-token", attempts: 1 }),
    ).rejects.toMatchObject({
      code: "RPYC_ERR_AUTHENTICATION",
      message: expect.stringContaining("the token is wrong"),
    });
    const classic = await connectClassic("127.0.0.1", port, { token: "right-token", attempts: 1 });
    expect(await classic.modules.os.platform()).toBe(process.platform);
    await closeClean(classic);
    expect(server.err().match(/ refuse: /g)).toHaveLength(2);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.err()).toContain("SIGTERM: shutting down");
  });

  it("generates a token when given none and prints how to connect", async () => {
    const server = runClassic(["-p", "0", "-q"]);
    const [, url, token] = await vi.waitFor(
      () => {
        const match = /connect with: npx rpyc (tcp:\/\/\S+) --classic --token (\S+)\n/.exec(
          server.err(),
        );
        if (match === null) throw new Error(`no token line yet: ${server.err()}`);
        return match;
      },
      { timeout: 45_000, interval: 20 },
    );
    expect(token).toHaveLength(43);
    const port = Number(new URL(url!).port);
    const classic = await connectClassic("127.0.0.1", port, { token, attempts: 1 });
    expect(await classic.eval("1 + 1")).toBe(2);
    await closeClean(classic);
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    // --quiet: nothing else on stderr (no listening line, no audit).
    expect(server.err()).not.toContain("eval:");
  });

  it("writes a generated token to --token-file with mode 0600, and reads it back next time", async () => {
    const file = join(dir, "tokens", "classic.token");
    const first = runClassic(["-p", "0", "--token-file", file]);
    await listeningPort(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.err()).toContain(`token written to ${file} (mode 0600)`);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const second = runClassic(["-p", "0", "--token-file", file]);
    const port = await listeningPort(second);
    const token = (await readFile(file, "utf8")).trim();
    const classic = await connectClassic("127.0.0.1", port, { token, attempts: 1 });
    expect(await classic.eval("'ok'")).toBe("ok");
    await closeClean(classic);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.err()).not.toContain("token written");
  });

  it("refuses to start on a non-loopback address without TLS client certificates", async () => {
    const refused = runClassic(["--host", "0.0.0.0", "-p", "0", "--token", "x"]);
    expect(await refused.exited).toBe(1);
    expect(refused.err()).toContain(
      "refusing to serve classic mode (remote code execution) on 0.0.0.0",
    );
    const forking = runClassic(["-m", "forking", "--host", "0.0.0.0", "-p", "0", "--token", "x"]);
    expect(await forking.exited).toBe(1);
    expect(forking.err()).toContain("needs TLS with client certificates");
    const insecure = runClassic(["--host", "0.0.0.0", "-p", "0", "--token", "x", "--insecure"]);
    await listeningPort(insecure);
    expect(insecure.err()).toContain(
      "WARNING: serving classic mode (remote code execution) on 0.0.0.0",
    );
    insecure.child.kill("SIGTERM");
    expect(await insecure.exited).toBe(0);
  });

  it("-m forking serves each client in its own process: namespaces isolated", async () => {
    const server = runClassic(["-m", "forking", "-p", "0", "--token", "fork-token"]);
    const port = await listeningPort(server);
    const options = { token: "fork-token", attempts: 1 };
    const a = await connectClassic("127.0.0.1", port, options);
    const b = await connectClassic("127.0.0.1", port, options);
    await a.execute("var mine = 'a'; globalThis.shared = 'a'");
    expect(await b.eval("typeof mine")).toBe("undefined");
    await b.execute("process.title = 'b-child'");
    const [pidA, pidB] = [await a.eval("process.pid"), await b.eval("process.pid")];
    expect(pidA).not.toBe(pidB);
    expect(pidA).not.toBe(server.child.pid);
    expect(await a.eval("process.title")).not.toBe("b-child");
    await expect(connectClassic("127.0.0.1", port, { token: "nope", attempts: 1 })).rejects.toThrow(
      /the token is wrong/,
    );
    await closeClean(a);
    await closeClean(b);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.err()).toMatch(/rpyc-classic 127\.0\.0\.1:\d+ execute: "var mine = 'a'/);
  });

  it("--socket serves a 0600 unix socket that needs no token", async () => {
    const path = join(dir, "classic.sock");
    const server = runClassic(["--socket", path]);
    await vi.waitFor(() => expect(server.err()).toContain(`classic server (threaded) on ${path}`), {
      timeout: 15_000,
      interval: 20,
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const classic = await connectClassicUnix(path);
    expect(await classic.eval("2 * 21")).toBe(42);
    await closeClean(classic);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("-m stdio serves the parent on stdin/stdout (connectClassicSubprocess)", async () => {
    const classic = await connectClassicSubprocess();
    expect(await classic.eval("typeof process.pid")).toBe("number");
    expect(await classic.eval("process.pid")).not.toBe(process.pid);
    await closeClean(classic);
  });

  it("rejects bad command lines with exit status 2, and documents every switch", async () => {
    const help = runClassic(["--help"]);
    const bad = runClassic(["--mode", "spawning"]);
    expect(await help.exited).toBe(0);
    for (const flag of [
      "--mode",
      "--ipv6",
      "--ssl-cafile",
      "--registry-type",
      "--token-file",
      "--insecure",
      "--socket",
      "--logfile",
    ]) {
      expect(help.out()).toContain(flag);
    }
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain(
      "--mode must be one of threaded, forking, stdio, oneshot (got 'spawning')",
    );
  });
});
