/**
 * `mount.rpycfs host:/relpath <mountpoint> -o …`: connects and authenticates, attaches to
 * relpath, mounts with FUSE, then daemonizes (the parent exits 0 once the mount is live, or 1
 * with the reason) unless `foreground`. Ends cleanly when the mount point is unmounted from
 * outside (`umount`, `fusermount -u`) or on SIGINT/SIGTERM (it unmounts first).
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Remote } from "@rpyc/core";
import { connect } from "@rpyc/transport-tcp";
import { writeCredentials } from "./credentials.ts";
import { ATTR_TIMEOUT_S, RemoteFs } from "./fuse-ops.ts";
import type { RpycfsService } from "./fs-service.ts";
import { isMain } from "./is-main.ts";
import { createFuse, loadFuse, type FuseMount } from "./load-fuse.ts";
import { MOUNT_HELP, parseMountArgs, type MountOptions } from "./mount-options.ts";
import { UsageError } from "./usage.ts";

/** How often the foreground process checks that its mount is still there: 500 ms. */
export const UNMOUNT_POLL_MS = 500;
/** The kernel's largest FUSE request with libfuse 2: 128 KiB (`max_write`, `max_read`). */
export const MAX_FUSE_IO = 128 * 1024;

/** mountinfo escapes spaces, tabs, newlines and backslashes in paths as octal. */
function mountinfoPath(path: string): string {
  return path.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/** True while `mountpoint` is a mount point (read from /proc/self/mountinfo). */
export async function isMounted(mountpoint: string): Promise<boolean> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const wanted = mountinfoPath(mountpoint);
  return info.split("\n").some((line) => line.split(" ")[4] === wanted);
}

/** A live mount: `closed` resolves once it is unmounted and the connection closed. */
export interface RunningMount {
  readonly fs: RemoteFs;
  readonly closed: Promise<void>;
  unmount(): Promise<void>;
}

/** Connects, attaches and mounts; resolves once the kernel mount is live. */
export async function mountRpycfs(options: MountOptions): Promise<RunningMount> {
  loadFuse(); // fail before connecting when the binding is missing
  const mountpoint = resolve(options.mountpoint);
  const conn = await connect(options.host, options.port, {
    attempts: 1,
    keepAlive: 15_000,
    ...(options.tls ? { tls: options.tls } : {}),
    beforeHandshake: writeCredentials({ user: options.user, password: options.password }),
    config: { timeout: options.timeoutMs },
  });
  const root = conn.root as unknown as Remote<RpycfsService>;
  try {
    await root.attach(options.relpath);
  } catch (error) {
    await conn.close();
    throw error;
  }
  const fs = new RemoteFs(conn, root);
  const safeName = `${options.host}:${options.relpath}`.replace(/[,\\\s]/g, "_");
  const fuse: FuseMount = createFuse(mountpoint, fs.ops(), {
    fsname: safeName,
    subtype: "rpycfs",
    allowOther: options.allowOther,
    defaultPermissions: true,
    attrTimeout: ATTR_TIMEOUT_S,
    entryTimeout: ATTR_TIMEOUT_S,
    debug: options.debug,
    // The binding's own per-request timeout is a backstop above the rpc timeout.
    timeout: options.timeoutMs + 10_000,
    extra: [
      "big_writes",
      `max_write=${MAX_FUSE_IO}`,
      `max_read=${MAX_FUSE_IO}`,
      ...(options.readOnly ? ["ro"] : []),
    ],
  });
  try {
    await new Promise<void>((ok, fail) => fuse.mount((e) => (e ? fail(e) : ok())));
  } catch (error) {
    await conn.close();
    throw new Error(`cannot mount on ${mountpoint}: ${(error as Error).message}`, { cause: error });
  }
  let finish!: () => void;
  const closed = new Promise<void>((ok) => (finish = ok));
  let ending = false;
  const end = async (): Promise<void> => {
    if (ending) return;
    ending = true;
    clearInterval(poll);
    await conn.close();
    finish();
  };
  const poll = setInterval(() => {
    isMounted(mountpoint).then(
      (mounted) => void (mounted ? undefined : end()),
      () => undefined,
    );
  }, UNMOUNT_POLL_MS);
  return {
    fs,
    closed,
    async unmount() {
      if (await isMounted(mountpoint)) {
        await new Promise<void>((ok, fail) => fuse.unmount((e) => (e ? fail(e) : ok())));
      }
      await end();
    },
  };
}

/** The daemon child: mounts, reports to its parent over IPC, then runs detached. */
async function runChild(): Promise<void> {
  const options = await new Promise<MountOptions>((ok) =>
    process.once("message", (m) => ok(m as MountOptions)),
  );
  try {
    const mount = await mountRpycfs(options);
    process.send?.({ ok: true });
    process.disconnect?.();
    const stop = (): void => void mount.unmount().then(() => process.exit(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    await mount.closed;
    process.exit(0);
  } catch (error) {
    process.send?.({ ok: false, message: (error as Error).message });
    process.exit(1);
  }
}

/** The parent: starts the child, waits for its report, exits with it. */
async function daemonize(options: MountOptions): Promise<never> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--rpycfs-child"], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  child.send({ ...options, foreground: true });
  const report = await new Promise<{ ok: boolean; message?: string }>((ok) => {
    child.once("message", (m) => ok(m as { ok: boolean; message?: string }));
    child.once("exit", (code) => ok({ ok: false, message: `mount process exited (${code})` }));
  });
  if (!report.ok) {
    process.stderr.write(`mount.rpycfs: ${report.message}\n`);
    process.exit(1);
  }
  child.unref();
  child.disconnect();
  process.exit(0);
}

export async function main(): Promise<void> {
  if (process.argv[2] === "--rpycfs-child") return runChild();
  let options;
  try {
    options = await parseMountArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`mount.rpycfs: ${error.message}\n\n${MOUNT_HELP}`);
      process.exit(2);
    }
    throw error;
  }
  if (options === "help") {
    process.stdout.write(MOUNT_HELP);
    return;
  }
  if (options.fake) return;
  if (!options.foreground) return daemonize(options);
  const mount = await mountRpycfs(options);
  process.stderr.write(
    `mount.rpycfs: mounted ${options.host}:${options.relpath} on ${resolve(options.mountpoint)}\n`,
  );
  const stop = (): void => void mount.unmount().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await mount.closed;
  process.exit(0);
}

if (isMain(import.meta.url)) void run();

/** `main` with its failure printed (exit 1), for the bin shim and direct runs. */
export function run(): Promise<void> {
  return main().catch((error: unknown) => {
    process.stderr.write(`mount.rpycfs: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  });
}
