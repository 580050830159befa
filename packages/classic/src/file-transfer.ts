/**
 * `upload` and `download`: copy files and directory trees between the client and a classic
 * server, in chunks, with modes and modification times kept. At most `window` chunks are in
 * flight at once (each side awaits its disk before the next chunk goes), so memory stays at
 * `window × chunkBytes` on both sides whatever the file size. Symlinks and special files inside
 * a tree are skipped and listed in the result.
 */
import { mkdir, open, readdir, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { release, type Remote } from "@rpyc/core";
import type { ClassicSession } from "./classic-session.ts";
import { TransferError } from "./errors.ts";
import { setMetadata, statPath, type FileInfo, MAX_CHUNK_BYTES } from "./remote-files.ts";

/**
 * Default chunk size: 1 MiB.
 *
 * @example
 * await classic.upload("big.iso", "/tmp/big.iso", { chunkBytes: 4 * DEFAULT_CHUNK_BYTES });
 */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/**
 * Default number of chunks in flight: 4.
 *
 * @example
 * await classic.download("/var/log", "./logs", { window: DEFAULT_WINDOW * 2 });
 */
export const DEFAULT_WINDOW = 4;

/**
 * Options of `upload` and `download`.
 *
 * @example
 * await classic.upload("./site", "/srv/site", { onProgress: (done, total) => bar(done / total) });
 */
export interface TransferOptions {
  /** Called after each chunk with the bytes copied so far and the total of the whole copy. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Bytes per chunk, 1 B to 8 MiB. Default `DEFAULT_CHUNK_BYTES`. */
  readonly chunkBytes?: number;
  /** Chunks in flight. Default `DEFAULT_WINDOW`. */
  readonly window?: number;
}

/**
 * What a copy did.
 *
 * @example
 * const { files, bytes, skipped } = await classic.download("/etc", "./etc-copy");
 */
export interface TransferResult {
  readonly files: number;
  readonly directories: number;
  readonly bytes: number;
  /** Paths (relative to the source) of symlinks and special files that were not copied. */
  readonly skipped: readonly string[];
}

/** One side's file system, as the copy sees it. */
interface Side {
  stat(path: string): Promise<FileInfo>;
  list(path: string): Promise<{ name: string; type: FileInfo["type"] }[]>;
}

interface Plan {
  readonly dirs: { rel: string; info: FileInfo }[];
  readonly files: { rel: string; info: FileInfo }[];
  readonly skipped: string[];
  total: number;
}

async function planCopy(side: Side, root: string): Promise<Plan> {
  const plan: Plan = { dirs: [], files: [], skipped: [], total: 0 };
  const rootInfo = await side.stat(root);
  if (rootInfo.type === "file") {
    plan.files.push({ rel: "", info: rootInfo });
    plan.total = rootInfo.size;
    return plan;
  }
  if (rootInfo.type !== "directory") {
    throw new TransferError(`${root} is neither a file nor a directory`);
  }
  const walk = async (rel: string, info: FileInfo): Promise<void> => {
    plan.dirs.push({ rel, info });
    for (const entry of await side.list(join(root, rel))) {
      const childRel = rel === "" ? entry.name : join(rel, entry.name);
      const child = await side.stat(join(root, childRel));
      if (child.type === "directory") await walk(childRel, child);
      else if (child.type === "file") {
        plan.files.push({ rel: childRel, info: child });
        plan.total += child.size;
      } else plan.skipped.push(childRel);
    }
  };
  await walk("", rootInfo);
  return plan;
}

const local: Side = {
  stat: statPath,
  list: async (path) => {
    const names = (await readdir(path)).sort();
    return Promise.all(
      names.map(async (name) => ({ name, type: (await statPath(join(path, name))).type })),
    );
  },
};

function remoteSide(session: Remote<ClassicSession>): Side {
  return {
    stat: (path) => session.stat(path) as Promise<FileInfo>,
    list: (path) =>
      session.listDirectory(path) as Promise<{ name: string; type: FileInfo["type"] }[]>,
  };
}

function checkOptions(options: TransferOptions): { chunk: number; window: number } {
  const chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const window = options.window ?? DEFAULT_WINDOW;
  if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunkBytes must be 1..${MAX_CHUNK_BYTES}, got ${String(chunk)}`);
  }
  if (!Number.isSafeInteger(window) || window < 1 || window > 64) {
    throw new RangeError(`window must be 1..64, got ${String(window)}`);
  }
  return { chunk, window };
}

/**
 * Runs `count` chunk jobs with at most `window` in flight; rejects on the first failure (after
 * the jobs in flight settle, so nothing is left running).
 */
async function inWindow(count: number, window: number, job: (i: number) => Promise<void>) {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        await job(i);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
  if (failure !== undefined) throw failure;
}

/**
 * Copies the local file or tree `localPath` to `remotePath` on the server.
 *
 * @example
 * await upload(session, "./dist", "/srv/app/dist", { onProgress: console.log });
 */
export async function upload(
  session: Remote<ClassicSession>,
  localPath: string,
  remotePath: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const { chunk, window } = checkOptions(options);
  const plan = await planCopy(local, localPath);
  let done = 0;
  for (const dir of plan.dirs) await session.makeDirectory(join(remotePath, dir.rel));
  for (const file of plan.files) {
    const source = await open(join(localPath, file.rel), "r");
    const writer = await session.createFile(join(remotePath, file.rel));
    try {
      await inWindow(Math.ceil(file.info.size / chunk), window, async (i) => {
        const bytes = await readChunk(
          source,
          i * chunk,
          Math.min(chunk, file.info.size - i * chunk),
        );
        await writer.write(i * chunk, bytes);
        done += bytes.byteLength;
        options.onProgress?.(done, plan.total);
      });
      await writer.finish(file.info.mode, file.info.mtimeMs);
    } catch (error) {
      await writer.abort().catch(() => {});
      throw error;
    } finally {
      release(writer);
      await source.close();
    }
  }
  if (plan.files.length === 0 || plan.total === 0) options.onProgress?.(0, 0);
  // Directories last, deepest first: writing into them changed their mtimes.
  for (const dir of [...plan.dirs].reverse()) {
    await session.setMetadata(join(remotePath, dir.rel), dir.info.mode, dir.info.mtimeMs);
  }
  return result(plan);
}

/**
 * Copies the server's file or tree `remotePath` to `localPath`.
 *
 * @example
 * await download(session, "/var/log/app", "./logs");
 */
export async function download(
  session: Remote<ClassicSession>,
  remotePath: string,
  localPath: string,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const { chunk, window } = checkOptions(options);
  const plan = await planCopy(remoteSide(session), remotePath);
  let done = 0;
  for (const dir of plan.dirs)
    await mkdir(join(localPath, dir.rel), { recursive: true, mode: 0o700 });
  for (const file of plan.files) {
    const target = join(localPath, file.rel);
    const reader = await session.openFile(join(remotePath, file.rel));
    let sink: FileHandle | undefined;
    try {
      sink = await open(target, "w", 0o600);
      const handle = sink;
      await inWindow(Math.ceil(file.info.size / chunk), window, async (i) => {
        const bytes = (await reader.read(i * chunk, chunk)) as Uint8Array;
        await handle.write(bytes, 0, bytes.byteLength, i * chunk);
        done += bytes.byteLength;
        options.onProgress?.(done, plan.total);
      });
      await sink.close();
      sink = undefined;
      await setMetadata(target, file.info.mode, file.info.mtimeMs);
    } catch (error) {
      await sink?.close();
      await rm(target, { force: true });
      throw error;
    } finally {
      await reader.close().catch(() => {});
      release(reader);
    }
  }
  if (plan.files.length === 0 || plan.total === 0) options.onProgress?.(0, 0);
  for (const dir of [...plan.dirs].reverse()) {
    await setMetadata(join(localPath, dir.rel), dir.info.mode, dir.info.mtimeMs);
  }
  return result(plan);
}

async function readChunk(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  if (bytesRead !== length) {
    throw new TransferError(`short read at ${offset}: the file changed while it was copied`);
  }
  return buffer;
}

function result(plan: Plan): TransferResult {
  return {
    files: plan.files.length,
    directories: plan.dirs.length,
    bytes: plan.total,
    skipped: plan.skipped,
  };
}
