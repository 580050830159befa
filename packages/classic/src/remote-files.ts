/**
 * The server's half of file transfer: what a classic session hands out so a client can copy
 * files and trees in chunks. Every operation works on one bounded chunk at a given offset, so
 * the client can keep a few chunks in flight (positional writes need no ordering) and neither
 * side ever holds more than `window × chunk` bytes of a file, whatever its size.
 */
import { lstat, mkdir, open, readdir, rm, utimes, chmod, type FileHandle } from "node:fs/promises";
import { join, resolve } from "node:path";
import { TransferError } from "./errors.ts";

/**
 * Largest chunk a client may read or write in one call: 8 MiB (the client default is 1 MiB).
 *
 * @example
 * await download("/srv/big", "./big", { chunkBytes: MAX_CHUNK_BYTES });
 */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/** What a path is, as transfer needs to know it. Symlinks are reported, not followed. */
export interface FileInfo {
  readonly type: "file" | "directory" | "other";
  readonly size: number;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly mtimeMs: number;
}

/** One entry of a directory listing. */
export interface DirEntry extends FileInfo {
  readonly name: string;
}

/**
 * Metadata of `path` (lstat: a symlink is "other").
 *
 * @example
 * await statPath("/etc/hosts"); // { type: "file", size: 220, mode: 0o644, mtimeMs: … }
 */
export async function statPath(path: string): Promise<FileInfo> {
  const info = await lstat(path);
  return {
    type: info.isFile() ? "file" : info.isDirectory() ? "directory" : "other",
    size: info.size,
    mode: info.mode & 0o7777,
    mtimeMs: info.mtimeMs,
  };
}

/**
 * The entries of a directory with their metadata, sorted by name.
 *
 * @example
 * (await listDirectory("/tmp")).map((e) => e.name);
 */
export async function listDirectory(path: string): Promise<DirEntry[]> {
  const names = (await readdir(path)).sort();
  const entries: DirEntry[] = [];
  for (const name of names) entries.push({ name, ...(await statPath(join(path, name))) });
  return entries;
}

/**
 * Sets permission bits and modification time (atime is set to the same instant).
 *
 * @example
 * await setMetadata("/tmp/x", 0o644, Date.now());
 */
export async function setMetadata(path: string, mode: number, mtimeMs: number): Promise<void> {
  await chmod(path, mode & 0o7777);
  const at = new Date(mtimeMs);
  await utimes(path, at, at);
}

/**
 * Creates a directory (and its parents); fine if it exists.
 *
 * @example
 * await makeDirectory("/tmp/a/b");
 */
export async function makeDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
}

function checkChunk(offset: unknown, length: number): number {
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) {
    throw new TransferError(`chunk offset must be a non-negative integer, got ${String(offset)}`);
  }
  if (!(length >= 0 && length <= MAX_CHUNK_BYTES)) {
    throw new TransferError(`a chunk holds at most ${MAX_CHUNK_BYTES} bytes, got ${length}`);
  }
  return offset as number;
}

/**
 * A file being written by the client. `write(offset, bytes)` may be called with several chunks
 * in flight; `finish(mode, mtimeMs)` closes the file and sets its metadata; `abort()` closes
 * and removes it. Closing the connection aborts an unfinished file.
 */
export class RemoteFileWriter {
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly #onDone: () => void;
  #done = false;

  private constructor(path: string, handle: FileHandle, onDone: () => void) {
    this.#path = path;
    this.#handle = handle;
    this.#onDone = onDone;
  }

  /**
   * Creates (or truncates) `path`, owner-only until `finish` sets the real mode. `onDone` runs
   * once, when the file is finished or aborted.
   */
  static async create(path: string, onDone: () => void = () => {}): Promise<RemoteFileWriter> {
    const full = resolve(path);
    return new RemoteFileWriter(full, await open(full, "w", 0o600), onDone);
  }

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    if (!(bytes instanceof Uint8Array)) throw new TransferError("write() needs bytes");
    const at = checkChunk(offset, bytes.byteLength);
    if (this.#done) throw new TransferError(`${this.#path} is already closed`);
    await this.#handle.write(bytes, 0, bytes.byteLength, at);
  }

  async finish(mode: number, mtimeMs: number): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#onDone();
    await this.#handle.close();
    await setMetadata(this.#path, mode, mtimeMs);
  }

  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#onDone();
    await this.#handle.close();
    await rm(this.#path, { force: true });
  }
}

/** A file being read by the client, chunk by chunk at given offsets. */
export class RemoteFileReader {
  readonly #handle: FileHandle;
  readonly #info: FileInfo;
  readonly #onDone: () => void;
  #closed = false;

  private constructor(handle: FileHandle, info: FileInfo, onDone: () => void) {
    this.#handle = handle;
    this.#info = info;
    this.#onDone = onDone;
  }

  /** Opens `path` for reading; `onDone` runs once, when it is closed. */
  static async open(path: string, onDone: () => void = () => {}): Promise<RemoteFileReader> {
    const handle = await open(resolve(path), "r");
    const stats = await handle.stat();
    const info: FileInfo = {
      type: "file",
      size: stats.size,
      mode: stats.mode & 0o7777,
      mtimeMs: stats.mtimeMs,
    };
    return new RemoteFileReader(handle, info, onDone);
  }

  /** Size, mode and mtime of the opened file. */
  get info(): FileInfo {
    return this.#info;
  }

  /** Up to `length` bytes at `offset` (fewer at the end of the file, none past it). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const at = checkChunk(offset, length);
    if (this.#closed) throw new TransferError("the file is closed");
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.#handle.read(buffer, 0, length, at);
    return buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onDone();
    await this.#handle.close();
  }
}
