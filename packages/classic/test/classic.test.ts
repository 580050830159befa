/**
 * Classic mode end to end over real TCP on 127.0.0.1: modules, eval/execute/namespace,
 * teleport and its refusals, deliver/obtain, redirectStdio, small transfers, tokens. One
 * server for the file; each test opens its own connection and ends with the leak check.
 */
import { mkdtemp, readFile, rm, stat, writeFile, mkdir, utimes, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { release, type ConnectionStats } from "@rpyc/core";
import type { Server } from "@rpyc/transport-tcp";
import {
  ClassicAuthenticationError,
  connectClassic,
  generateToken,
  serveClassic,
  TeleportError,
  type AuditEntry,
  type ClassicConnection,
} from "../src/index.ts";

// Pipelined intermediates (`modules.os` in `modules.os.platform()`) are held by the server until
// their remote promise is collected: the leak check collects garbage to see them go.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const BASELINE: ConnectionStats = { exported: 0, imported: 0, pending: 0, held: 0, heldByPeer: 0 };
const token = generateToken();
const audit: AuditEntry[] = [];
let server: Server;
let dir: string;
let open: ClassicConnection[] = [];

beforeAll(async () => {
  server = await serveClassic({ port: 0, token, audit: (entry) => audit.push(entry) });
  dir = await mkdtemp(join(tmpdir(), "rpyc-classic-"));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function connectNew(): Promise<ClassicConnection> {
  const classic = await connectClassic("127.0.0.1", server.port, { token, attempts: 1 });
  open.push(classic);
  return classic;
}

afterEach(async () => {
  const clients = open;
  open = [];
  try {
    // The session is the one netref each side keeps per connection.
    await vi.waitFor(() => {
      gc();
      for (const classic of clients) expect(classic.stats()).toEqual({ ...BASELINE, imported: 1 });
      for (const conn of server.connections) {
        expect(conn.stats()).toEqual({ ...BASELINE, exported: 1 });
      }
    });
  } finally {
    for (const classic of clients) await classic.close();
  }
  for (const classic of clients) expect(classic.stats()).toEqual(BASELINE);
  await vi.waitFor(() => expect(server.connections.size).toBe(0));
});

describe("classic mode", () => {
  it("reaches the server's modules: built-ins by bare name and node: name", async () => {
    const classic = await connectNew();
    expect(await classic.modules.os.platform()).toBe(process.platform);
    expect(await classic.modules.path.join("a", "b")).toBe(join("a", "b"));
    await writeFile(join(dir, "hello.txt"), "hello from the server's disk");
    expect(await classic.modules["node:fs"].readFileSync(join(dir, "hello.txt"), "utf8")).toBe(
      "hello from the server's disk",
    );
    expect(audit).toContainEqual(expect.objectContaining({ action: "getModule", detail: "os" }));
    await expect(classic.modules["no-such-package-xyz"].x).rejects.toThrow(/no-such-package-xyz/);
  });

  it("evaluates and executes in one namespace per connection", async () => {
    const classic = await connectNew();
    await classic.execute("var counter = 40; function bump() { return ++counter; }");
    expect(await classic.eval("counter + 2")).toBe(42);
    expect(await classic.eval("bump()")).toBe(41);
    expect(await classic.namespace.counter).toBe(41);
    expect(await classic.eval("typeof require('node:fs').statSync")).toBe("function");
    expect(await classic.eval("process.pid")).toBe(process.pid);
    await expect(classic.eval("nope +")).rejects.toThrow(SyntaxError);
    await expect(classic.eval("undefinedName")).rejects.toThrow(ReferenceError);
    // Another client has its own namespace.
    const other = await connectNew();
    expect(await other.eval("typeof counter")).toBe("undefined");
    // Every eval and execute is in the audit log.
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: "execute",
        detail: expect.stringContaining("var counter"),
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: "eval", detail: "counter + 2" }),
    );
    expect(audit.every((e) => /^127\.0\.0\.1:\d+$/.test(e.peer))).toBe(true);
  });

  it("teleports functions, and refuses native, bound and closures with free variables", async () => {
    const classic = await connectNew();
    const remotePid = await classic.teleport(() => process.pid);
    expect(await remotePid()).toBe(process.pid);
    release(remotePid);
    const hypot = await classic.teleport(function hypot(a: number, b: number) {
      return Math.sqrt(a * a + b * b);
    });
    expect(await hypot(3, 4)).toBe(5);
    release(hypot);
    await expect(classic.teleport(Math.max)).rejects.toMatchObject({
      code: "RPYC_ERR_TELEPORT_NATIVE",
      message: expect.stringContaining("native function"),
    });
    const bound = function f(this: unknown) {
      return this;
    }.bind(null);
    await expect(classic.teleport(bound)).rejects.toThrow(/bound function/);
    const secret = 41;
    const offset = 1;
    const error = await classic.teleport(() => secret + offset).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: "RPYC_ERR_TELEPORT_FREE_VARIABLES",
      message: expect.stringContaining("'secret', 'offset'"),
    });
    // A name the namespace defines is fine.
    await classic.execute("var secret = 41");
    const usesNamespace = await classic.teleport(() => secret + 1);
    expect(await usesNamespace()).toBe(42);
    release(usesNamespace);
    expect(TeleportError.name).toBe("TeleportError");
    expect(audit.filter((e) => e.action === "teleport").length).toBeGreaterThanOrEqual(3);
  });

  it("delivers values by reference and obtains them back by value", async () => {
    const classic = await connectNew();
    const remote = await classic.deliver({ list: [1, 2, 3], name: "box" });
    expect(await remote.name).toBe("box");
    await classic.namespace.constructor.catch(() => undefined); // always blocked, still usable
    expect(await classic.obtain(remote)).toEqual({ list: [1, 2, 3], name: "box" });
    release(remote);
    expect(await classic.deliver(7)).toBe(7);
  });

  it("shows the server's console output on the client while redirected", async () => {
    const classic = await connectNew();
    const seen: string[] = [];
    const redirected = await classic.redirectStdio((stream, text) =>
      seen.push(`${stream}:${text}`),
    );
    // (vitest replaces `console` in this process; the command's test covers console.log)
    await classic.execute(
      "process.stdout.write('printed on the server\\n'); process.stderr.write('oops\\n')",
    );
    await vi.waitFor(() =>
      expect(seen).toEqual(["stdout:printed on the server\n", "stderr:oops\n"]),
    );
    await redirected.restore();
    const write = process.stdout.write;
    expect(write.name).not.toBe("write$capture");
    await classic.execute("process.stdout.write('')");
    expect(seen.length).toBe(2);
  });

  it("uploads and downloads a tree with modes and mtimes, reporting progress", async () => {
    const classic = await connectNew();
    const src = join(dir, "src");
    await mkdir(join(src, "sub"), { recursive: true });
    await writeFile(join(src, "a.txt"), "alpha");
    await writeFile(join(src, "sub", "run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    await writeFile(join(src, "empty"), "");
    await symlink("a.txt", join(src, "link"));
    const past = new Date("2020-01-02T03:04:05Z");
    await utimes(join(src, "a.txt"), past, past);
    const progress: [number, number][] = [];
    const up = await classic.upload(src, join(dir, "up"), {
      chunkBytes: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(up).toEqual({ files: 3, directories: 2, bytes: 23, skipped: ["link"] });
    expect(progress.at(-1)).toEqual([23, 23]);
    expect(progress.length).toBe(3 + 9);
    expect(await readFile(join(dir, "up", "sub", "run.sh"), "utf8")).toBe("#!/bin/sh\necho hi\n");
    expect((await stat(join(dir, "up", "sub", "run.sh"))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, "up", "a.txt"))).mtime.getTime()).toBe(past.getTime());
    const down = await classic.download(join(dir, "up"), join(dir, "down"));
    expect(down).toMatchObject({ files: 3, bytes: 23 });
    expect(await readFile(join(dir, "down", "a.txt"), "utf8")).toBe("alpha");
    expect((await stat(join(dir, "down", "a.txt"))).mtime.getTime()).toBe(past.getTime());
    expect((await stat(join(dir, "down", "sub", "run.sh"))).mode & 0o777).toBe(0o755);
    await expect(classic.upload(join(dir, "missing"), join(dir, "x"))).rejects.toThrow(/ENOENT/);
    await expect(classic.download(join(dir, "missing"), join(dir, "x"))).rejects.toThrow(/ENOENT/);
  });
});

describe("classic tokens", () => {
  it("refuses a missing or wrong token and closes the connection", async () => {
    await expect(
      connectClassic("127.0.0.1", server.port, { token: undefined, attempts: 1 }),
    ).rejects.toThrow(/a token is required/);
    const wrong = await connectClassic("127.0.0.1", server.port, {
      token: `${token.slice(0, -1)}x`,
      attempts: 1,
    }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ClassicAuthenticationError);
    expect(wrong).toMatchObject({ code: "RPYC_ERR_AUTHENTICATION" });
    expect((wrong as Error).message).toMatch(/the token is wrong/);
    expect(audit.filter((e) => e.action === "refuse").length).toBeGreaterThanOrEqual(2);
    await vi.waitFor(() => expect(server.connections.size).toBe(0));
  });
});
