/**
 * The server side of rpycfs: one `RpycfsService` per connection, serving the exported directory
 * with plain-data methods (paths are the client's, `/`-rooted; bytes travel as `Uint8Array`).
 *
 * Contracts:
 * - `attach(relpath)` first: it picks the subdirectory this connection sees (the `host:/relpath`
 *   of the mount); every later path is confined to it (`confine.ts`).
 * - Errors carry a POSIX `code` and the client's path only (`fs-error.ts`).
 * - Open files live in a per-connection table of at most `MAX_OPEN_FILES`; all are closed when
 *   the connection ends, so a killed client leaves nothing held on the server.
 * - A read-only export refuses every change with `EROFS`; no device file, FIFO or socket is ever
 *   opened or created (there is no mknod).
 */
import { constants, type BigIntStats, type Stats } from "node:fs";
import * as fs from "node:fs/promises";
import { Service } from "@rpyc/core";
import { Confinement } from "./confine.ts";
import { fsError, sanitize } from "./fs-error.ts";
import {
  UTIME_NOW_MS,
  UTIME_OMIT_MS,
  type WireDirectory,
  type WireStat,
  type WireStatfs,
} from "./wire-types.ts";

/** Files one connection may hold open at once: 4096; beyond, `open` fails with EMFILE. */
export const MAX_OPEN_FILES = 4096;
/** Largest single read or write: 16 MiB (a client asks for much less; this bounds memory). */
export const MAX_IO_BYTES = 16 * 1024 * 1024;
/** Longest symlink target accepted: 4096 bytes. */
export const MAX_LINK_BYTES = 4096;

/** What the daemon serves: the export and whether it is read-only. */
export interface ExportOptions {
  readonly root: Confinement;
  readonly readOnly: boolean;
}

/** Open-flag bits the client may pass on; creation and truncation arrive as their own calls. */
const PASSED_OPEN_FLAGS =
  constants.O_RDONLY |
  constants.O_WRONLY |
  constants.O_RDWR |
  constants.O_APPEND |
  constants.O_SYNC |
  constants.O_DSYNC;
const ACCESS_MODE = constants.O_RDONLY | constants.O_WRONLY | constants.O_RDWR;

export function toWireStat(s: Stats | BigIntStats): WireStat {
  return {
    mode: Number(s.mode),
    uid: Number(s.uid),
    gid: Number(s.gid),
    size: Number(s.size),
    nlink: Number(s.nlink),
    ino: Number(s.ino) % 2 ** 32,
    rdev: Number(s.rdev),
    blksize: Number(s.blksize),
    blocks: Number(s.blocks),
    atimeMs: Number(s.atimeMs),
    mtimeMs: Number(s.mtimeMs),
    ctimeMs: Number(s.ctimeMs),
  };
}

function checkName(value: unknown, what: string, max: number): string {
  if (typeof value !== "string" || value.length === 0 || value.includes("\0")) {
    throw fsError("EINVAL", `${what} must be a non-empty string without NUL`);
  }
  if (Buffer.byteLength(value) > max) throw fsError("ENAMETOOLONG", what);
  return value;
}

function checkCount(value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw fsError("EINVAL", `${what} must be an integer from 0 to ${max}`);
  }
  return value;
}

/**
 * Builds the per-connection service class for one export (`serve(makeRpycfsService(options))`).
 *
 * @example
 * const root = await Confinement.open("/srv/share");
 * await serve(makeRpycfsService({ root, readOnly: false }), { authenticator });
 */
export function makeRpycfsService(options: ExportOptions): typeof RpycfsService {
  return class extends RpycfsService {
    static override exportOptions = options;
  };
}

/** The service; `makeRpycfsService` binds it to an export. */
export class RpycfsService extends Service {
  static override serviceName = "RPYCFS";
  /** Set by `makeRpycfsService`. */
  static exportOptions: ExportOptions | undefined;
  #tree: Confinement | undefined;
  readonly #files = new Map<number, fs.FileHandle>();
  #nextHandle = 1;

  override onDisconnect(): void {
    for (const file of this.#files.values()) void file.close().catch(() => undefined);
    this.#files.clear();
  }

  get #options(): ExportOptions {
    const options = (this.constructor as typeof RpycfsService).exportOptions;
    if (!options) throw fsError("EIO", "no export configured (use makeRpycfsService)");
    return options;
  }

  get #root(): Confinement {
    if (!this.#tree) throw fsError("EACCES", "call attach(relpath) first");
    return this.#tree;
  }

  #writable(path: string): void {
    if (this.#options.readOnly) throw fsError("EROFS", `${path}: the export is read-only`);
  }

  #file(fh: unknown): fs.FileHandle {
    const file = this.#files.get(fh as number);
    if (!file) throw fsError("EBADF", `no open file ${String(fh)}`);
    return file;
  }

  #keep(file: fs.FileHandle): number {
    const fh = this.#nextHandle++;
    this.#files.set(fh, file);
    return fh;
  }

  /** Chooses the subdirectory this connection sees; returns whether the export is read-only. */
  async attach(relpath: string): Promise<{ readOnly: boolean }> {
    const path = relpath === "" ? "/" : relpath;
    let tree: Confinement;
    try {
      tree = await this.#options.root.sub(path);
      const s = await fs.stat(tree.root);
      if (!s.isDirectory()) throw fsError("ENOTDIR", path);
    } catch (error) {
      sanitize(error, path);
    }
    this.#tree = tree;
    return { readOnly: this.#options.readOnly };
  }

  async getattr(path: string): Promise<WireStat> {
    try {
      return toWireStat(await fs.lstat(await this.#root.entry(path)));
    } catch (error) {
      sanitize(error, path);
    }
  }

  async fgetattr(fh: number): Promise<WireStat> {
    try {
      return toWireStat(await this.#file(fh).stat());
    } catch (error) {
      sanitize(error, `#${fh}`);
    }
  }

  async readdir(path: string): Promise<WireDirectory> {
    try {
      const dir = await this.#root.follow(path);
      const names = await fs.readdir(dir);
      const stats = await Promise.all(
        names.map((name) => fs.lstat(`${dir}/${name}`).then(toWireStat, () => null)),
      );
      return { names, stats };
    } catch (error) {
      sanitize(error, path);
    }
  }

  async open(path: string, flags: number): Promise<number> {
    checkCount(flags, "flags");
    if ((flags & ACCESS_MODE) !== constants.O_RDONLY || flags & constants.O_TRUNC) {
      this.#writable(path);
    }
    if (this.#files.size >= MAX_OPEN_FILES) throw fsError("EMFILE", path);
    try {
      const real = await this.#root.follow(path);
      const s = await fs.lstat(real);
      if (s.isDirectory()) throw fsError("EISDIR", path);
      if (!s.isFile()) throw fsError("EACCES", `${path}: only regular files are served`);
      const file = await fs.open(real, (flags & PASSED_OPEN_FLAGS) | constants.O_NOFOLLOW);
      return this.#keep(file);
    } catch (error) {
      sanitize(error, path);
    }
  }

  async create(path: string, mode: number): Promise<number> {
    checkCount(mode, "mode");
    this.#writable(path);
    if (this.#files.size >= MAX_OPEN_FILES) throw fsError("EMFILE", path);
    try {
      const target = await this.#root.entry(path);
      const file = await fs.open(
        target,
        constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW,
        mode & 0o7777,
      );
      return this.#keep(file);
    } catch (error) {
      sanitize(error, path);
    }
  }

  async read(fh: number, position: number, length: number): Promise<Uint8Array> {
    checkCount(position, "position");
    checkCount(length, "length", MAX_IO_BYTES);
    const file = this.#file(fh);
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    try {
      while (filled < length) {
        const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      sanitize(error, `#${fh}`);
    }
    return buffer.subarray(0, filled);
  }

  async write(fh: number, position: number, data: Uint8Array): Promise<number> {
    checkCount(position, "position");
    if (!(data instanceof Uint8Array) || data.length > MAX_IO_BYTES) {
      throw fsError("EINVAL", `data must be bytes, at most ${MAX_IO_BYTES}`);
    }
    const file = this.#file(fh);
    this.#writable(`#${fh}`);
    let written = 0;
    try {
      while (written < data.length) {
        const { bytesWritten } = await file.write(
          data,
          written,
          data.length - written,
          position + written,
        );
        written += bytesWritten;
      }
    } catch (error) {
      sanitize(error, `#${fh}`);
    }
    return written;
  }

  async truncate(path: string, size: number): Promise<void> {
    checkCount(size, "size");
    this.#writable(path);
    try {
      const real = await this.#root.follow(path);
      const s = await fs.lstat(real);
      if (s.isDirectory()) throw fsError("EISDIR", path);
      if (!s.isFile()) throw fsError("EACCES", `${path}: only regular files are served`);
      await fs.truncate(real, size);
    } catch (error) {
      sanitize(error, path);
    }
  }

  async ftruncate(fh: number, size: number): Promise<void> {
    checkCount(size, "size");
    this.#writable(`#${fh}`);
    try {
      await this.#file(fh).truncate(size);
    } catch (error) {
      sanitize(error, `#${fh}`);
    }
  }

  async fsync(fh: number, datasync: boolean): Promise<void> {
    try {
      const file = this.#file(fh);
      await (datasync ? file.datasync() : file.sync());
    } catch (error) {
      sanitize(error, `#${fh}`);
    }
  }

  async release(fh: number): Promise<void> {
    const file = this.#file(fh);
    this.#files.delete(fh);
    try {
      await file.close();
    } catch (error) {
      sanitize(error, `#${fh}`);
    }
  }

  async mkdir(path: string, mode: number): Promise<void> {
    checkCount(mode, "mode");
    this.#writable(path);
    try {
      await fs.mkdir(await this.#root.entry(path), { mode: mode & 0o7777 });
    } catch (error) {
      sanitize(error, path);
    }
  }

  async rmdir(path: string): Promise<void> {
    this.#writable(path);
    if (path === "/") throw fsError("EBUSY", "/");
    try {
      await fs.rmdir(await this.#root.entry(path));
    } catch (error) {
      sanitize(error, path);
    }
  }

  async unlink(path: string): Promise<void> {
    this.#writable(path);
    try {
      await fs.unlink(await this.#root.entry(path));
    } catch (error) {
      sanitize(error, path);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.#writable(from);
    if (from === "/" || to === "/") throw fsError("EBUSY", "/");
    try {
      await fs.rename(await this.#root.entry(from), await this.#root.entry(to));
    } catch (error) {
      sanitize(error, from);
    }
  }

  async symlink(target: string, path: string): Promise<void> {
    checkName(target, "symlink target", MAX_LINK_BYTES);
    this.#writable(path);
    try {
      await fs.symlink(target, await this.#root.entry(path));
    } catch (error) {
      sanitize(error, path);
    }
  }

  async readlink(path: string): Promise<string> {
    try {
      return await fs.readlink(await this.#root.entry(path));
    } catch (error) {
      sanitize(error, path);
    }
  }

  async chmod(path: string, mode: number): Promise<void> {
    checkCount(mode, "mode");
    this.#writable(path);
    try {
      await fs.chmod(await this.#root.follow(path), mode & 0o7777);
    } catch (error) {
      sanitize(error, path);
    }
  }

  /** Times in ms; `UTIME_NOW_MS` means now and `UTIME_OMIT_MS` keeps the current value. */
  async utimens(path: string, atimeMs: number, mtimeMs: number): Promise<void> {
    checkCount(atimeMs, "atime");
    checkCount(mtimeMs, "mtime");
    this.#writable(path);
    try {
      const real = await this.#root.follow(path);
      const now = Date.now();
      let current: Stats | undefined;
      if (atimeMs === UTIME_OMIT_MS || mtimeMs === UTIME_OMIT_MS) current = await fs.stat(real);
      const pick = (value: number, omitted: () => number): Date =>
        new Date(value === UTIME_NOW_MS ? now : value === UTIME_OMIT_MS ? omitted() : value);
      await fs.utimes(
        real,
        pick(atimeMs, () => current!.atimeMs),
        pick(mtimeMs, () => current!.mtimeMs),
      );
    } catch (error) {
      sanitize(error, path);
    }
  }

  async access(path: string, mode: number): Promise<void> {
    checkCount(mode, "mode", 7);
    if (mode & constants.W_OK) this.#writable(path);
    try {
      await fs.access(await this.#root.follow(path), mode);
    } catch (error) {
      sanitize(error, path);
    }
  }

  async statfs(): Promise<WireStatfs> {
    try {
      const s = await fs.statfs(this.#root.root);
      return {
        bsize: s.bsize,
        frsize: s.bsize,
        blocks: s.blocks,
        bfree: s.bfree,
        bavail: s.bavail,
        files: s.files,
        ffree: s.ffree,
        favail: s.ffree,
        namemax: 255,
      };
    } catch (error) {
      sanitize(error, "/");
    }
  }
}
