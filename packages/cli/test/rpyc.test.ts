/**
 * The `rpyc` command as a child process against servers on 127.0.0.1 (port 0) in this process,
 * so both sides' tables are checked: `--eval`, the REPL on piped stdin (results awaited,
 * netrefs displayed, `.stats`, `.close`, `.connect`), the classic scope, and the failures
 * (unreachable, wrong token, bad command line) with their exit statuses.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { Service, type ConnectionStats } from "@rpyc/core";
import { serve, type Server } from "@rpyc/transport-tcp";
import { generateToken, serveClassic } from "@rpyc/classic";
import { runRpyc } from "./run-rpyc.ts";

const BASELINE: ConnectionStats = { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 };

class Account {
  constructor(readonly owner: string) {}
  balance = 10;
  deposit(amount: number) {
    this.balance += amount;
    return this.balance;
  }
}

class BankService extends Service {
  static override serviceName = "BANK";
  add(a: number, b: number) {
    return a + b;
  }
  open(owner: string) {
    return new Account(owner);
  }
  async slow(value: number) {
    await new Promise((resolve) => setImmediate(resolve));
    return value;
  }
}

const token = generateToken();
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A BANK server of the test's own (tests run concurrently: each checks its server's tables). */
async function bankServer(): Promise<Server> {
  const server = await serve(BankService, { port: 0 });
  servers.push(server);
  return server;
}

async function classicServer(): Promise<Server> {
  const server = await serveClassic({ port: 0, token, audit: () => {} });
  servers.push(server);
  return server;
}

/** After a child is gone, the server side holds nothing and the connection is closed. */
async function serverClean(server: Server): Promise<void> {
  await vi.waitFor(() => expect(server.connections.size).toBe(0));
}

/** While a client is connected: the server's tables at the baseline (its own exports). */
async function serverTables(server: Server, expected: Partial<ConnectionStats>): Promise<void> {
  await vi.waitFor(() => {
    expect(server.connections.size).toBe(1);
    for (const conn of server.connections)
      expect(conn.stats()).toEqual({ ...BASELINE, ...expected });
  });
}

// Each test pays the tsx start-up of its child (seconds on a busy 2-core machine).
describe.concurrent("rpyc", { timeout: 60_000 }, () => {
  it("--eval prints the awaited result and exits 0", async () => {
    const bank = await bankServer();
    const run = runRpyc(["--eval", "await root.add(1, 2)", `tcp://127.0.0.1:${bank.port}`]);
    expect(await run.exited).toBe(0);
    expect(run.out()).toBe("3\n");
    const remote = runRpyc([
      "-e",
      "const a = await root.open('ada'); [a, await a.deposit(5), root.slow(7)]",
      `127.0.0.1:${bank.port}`,
    ]);
    expect(await remote.exited).toBe(0);
    // A netref prints as such, inside any value; a remote promise left in a value says so.
    expect(remote.out()).toBe("[ <netref #1 of BANK>, 15, [RemotePromise] ]\n");
    await serverClean(bank);
  });

  it("--eval that throws prints the error on stderr and exits 1", async () => {
    const bank = await bankServer();
    const run = runRpyc(["--eval", "await root.secret()", `tcp://127.0.0.1:${bank.port}`]);
    expect(await run.exited).toBe(1);
    expect(run.out()).toBe("");
    expect(run.err()).toMatch(
      /AccessDeniedError: attribute 'secret' is not exposed by BankService/,
    );
    await serverClean(bank);
  });

  it("runs a piped script in order: remote promises awaited, netrefs displayed, .stats", async () => {
    const bank = await bankServer();
    const run = runRpyc([`tcp://127.0.0.1:${bank.port}`]);
    run.child.stdin.end(
      [
        "root.slow(1)",
        "2",
        "const acct = await root.open('bob')",
        "acct",
        "acct.deposit(1)",
        "function twice(x) {",
        "  return 2 * x }",
        "twice(await root.add(2, 3))",
        "[typeof keys, typeof obtain, typeof release, typeof inspect, typeof repr]",
        "await repr(acct)",
        "(await inspect(acct)).type",
        "await keys(root)",
        "console.log(root)",
        ".stats",
        "",
      ].join("\n"),
    );
    expect(await run.exited).toBe(0);
    const lines = run.out().split("\n");
    expect(lines[0]).toBe(
      `connected to tcp://127.0.0.1:${bank.port} (BANK); in scope: conn, root, keys, obtain, release, inspect, repr`,
    );
    expect(lines.slice(1)).toEqual([
      "rpyc> 1",
      "rpyc> 2",
      "rpyc> undefined",
      "rpyc> <netref #1 of BANK>",
      "rpyc> 11",
      "rpyc> ... undefined",
      "rpyc> 10",
      "rpyc> [ 'function', 'function', 'function', 'function', 'function' ]",
      "rpyc> '<Account>'",
      "rpyc> 'Account'",
      "rpyc> [ 'add', 'open', 'slow' ]",
      "rpyc> <netref root of BANK>",
      "undefined",
      // The REPL still holds `acct`: one import, nothing else.
      "rpyc> { exported: 0, imported: 1, pending: 0, held: 0, heldByPeer: 0 }",
      "rpyc> ",
    ]);
    expect(run.err()).toBe("");
    await serverClean(bank);
  });

  it("drives a classic server: modules, eval/execute, namespace, teleport", async () => {
    const classic = await classicServer();
    const run = runRpyc([`tcp://127.0.0.1:${classic.port}`, "--token", token]);
    run.child.stdin.write(
      [
        "modules.os.platform()",
        "await execute('var counter = 41')",
        "eval('counter + 1')",
        "namespace.counter",
        "const pid = await teleport(() => process.pid)",
        "pid()",
        "modules",
        "",
      ].join("\n"),
    );
    await run.waitFor("<modules of CLASSIC");
    run.child.stdin.write(".stats\n");
    await run.waitFor("heldByPeer");
    await serverTables(classic, { exported: 2 }); // the session and the teleported function
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    expect(run.out().split("\n").slice(1)).toEqual([
      `rpyc> '${process.platform}'`,
      "rpyc> undefined",
      "rpyc> 42",
      "rpyc> 41",
      "rpyc> undefined",
      `rpyc> ${process.pid}`,
      'rpyc> <modules of CLASSIC: modules.os, modules["node:fs"], …>',
      "rpyc> { exported: 0, imported: 2, pending: 0, held: 0, heldByPeer: 0 }",
      "rpyc> ",
    ]);
    expect(run.out()).toMatch(/^connected to tcp:\/\/127\.0\.0\.1:\d+ \(CLASSIC, classic mode\)/);
    await serverClean(classic);
  });

  it(".close, then .connect elsewhere with the same token", async () => {
    const [bank, classic] = [await bankServer(), await classicServer()];
    const run = runRpyc([`tcp://127.0.0.1:${bank.port}`, "--token", token]);
    run.child.stdin.write(".close\nroot.add(1, 1)\n");
    await run.waitFor(/rpyc> Uncaught:? ?\n?.*closed/s);
    await serverClean(bank);
    run.child.stdin.end(`.connect tcp://127.0.0.1:${classic.port}\neval('6 * 7')\n`);
    expect(await run.exited).toBe(0);
    expect(run.out()).toContain(`closed tcp://127.0.0.1:${bank.port}`);
    expect(run.out()).toContain(
      `connected to tcp://127.0.0.1:${classic.port} (CLASSIC, classic mode)`,
    );
    expect(run.out()).toContain("rpyc> 42\n");
    await serverClean(classic);
  });

  it("says why and exits 1 when the server is unreachable or refuses the token", async () => {
    const [bank, classic] = [await bankServer(), await classicServer()];
    const unreachable = runRpyc(["tcp://127.0.0.1:1"]);
    const noToken = runRpyc([`tcp://127.0.0.1:${classic.port}`]);
    const wrong = runRpyc([`tcp://127.0.0.1:${classic.port}`, "--token", `${token}x`]);
    const notClassic = runRpyc([`tcp://127.0.0.1:${bank.port}`, "--classic", "-e", "1"]);
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.err()).toBe(
      "rpyc: could not connect to 127.0.0.1:1: ECONNREFUSED (is the server running and listening there?)\n",
    );
    expect(await noToken.exited).toBe(1);
    expect(noToken.err()).toMatch(
      /^rpyc: classic server refused the connection: a token is required/,
    );
    expect(await wrong.exited).toBe(1);
    expect(wrong.err()).toBe("rpyc: classic server refused the connection: the token is wrong\n");
    expect(await notClassic.exited).toBe(1);
    expect(notClassic.err()).toMatch(/serves 'BANK', not a classic server/);
    for (const run of [unreachable, noToken, wrong, notClassic]) expect(run.out()).toBe("");
    await serverClean(classic);
    await serverClean(bank);
  });

  it("rejects bad command lines with exit status 2", async () => {
    const none = runRpyc([]);
    const scheme = runRpyc(["http://x"]);
    const both = runRpyc(["tcp://a:1", "--stdio", "node x"]);
    const help = runRpyc(["--help"]);
    expect(await none.exited).toBe(2);
    expect(none.err()).toContain("where to? give a URL");
    expect(await scheme.exited).toBe(2);
    expect(scheme.err()).toContain("unknown scheme 'http:'");
    expect(await both.exited).toBe(2);
    expect(await help.exited).toBe(0);
    for (const word of ["--stdio", "--classic", "--token", "--eval", "unix:PATH", ".connect"]) {
      expect(help.out()).toContain(word);
    }
  });
});
