/**
 * The FUSE handlers of a mount: each kernel request becomes one call on the server's
 * `RpycfsService` (`fs-service.ts`), its error a negative errno (`errno.ts`).
 *
 * - Lost server: once the connection closes every pending call rejects and every later request
 *   fails at once with EIO; the mount stays until it is unmounted (never a hung process).
 * - Attributes: the kernel caches them for `ATTR_TIMEOUT_S` (libfuse's `attr_timeout` and
 *   `entry_timeout`); a listing primes a client cache of `ATTR_CACHE_MS`, so `ls -l`/`find`
 *   cost one round trip per directory. Every local change drops the entries it affects.
 * - Reads: a sequential reader gets read-ahead of `READ_AHEAD_CHUNKS` chunks of
 *   `READ_CHUNK_BYTES`, fetched in parallel (pipelined over the one connection).
 */
import type { Connection, Remote } from "@rpyc/core";
import { errnoOf, toErrno } from "./errno.ts";
import type { FuseCallback, FuseOps } from "./load-fuse.ts";
import type { RpycfsService } from "./fs-service.ts";
import { ReadAhead } from "./read-ahead.ts";
import type { WireStat } from "./wire-types.ts";

/** Kernel attribute and entry cache time: 1 s (libfuse's default; short, so changes show fast). */
export const ATTR_TIMEOUT_S = 1;
/** Client attribute cache primed by listings: 1 s. */
export const ATTR_CACHE_MS = 1000;

type Stat = Omit<WireStat, "atimeMs" | "mtimeMs" | "ctimeMs"> & {
  atime: Date;
  mtime: Date;
  ctime: Date;
};

function toFuseStat(s: WireStat): Stat {
  return {
    ...s,
    atime: new Date(s.atimeMs),
    mtime: new Date(s.mtimeMs),
    ctime: new Date(s.ctimeMs),
  };
}

/** Per-mount state behind the handlers. */
export class RemoteFs {
  #lost = false;
  readonly #attrs = new Map<string, { stat: WireStat; until: number }>();
  readonly #readers = new Map<number, ReadAhead>();

  constructor(
    readonly connection: Connection,
    readonly root: Remote<RpycfsService>,
  ) {
    connection.on("close", () => {
      this.#lost = true;
      this.#attrs.clear();
    });
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** Runs a remote call, EIO at once when the server is gone. */
  async call<T>(run: () => Promise<T>): Promise<T> {
    if (this.#lost) throw Object.assign(new Error("server lost"), { code: "EIO" });
    return await run();
  }

  forget(...paths: string[]): void {
    for (const p of paths) this.#attrs.delete(p);
  }

  forgetAll(): void {
    this.#attrs.clear();
  }

  async getattr(path: string): Promise<WireStat> {
    const hit = this.#attrs.get(path);
    if (hit && hit.until > Date.now()) return hit.stat;
    return this.call(() => Promise.resolve(this.root.getattr(path)) as Promise<WireStat>);
  }

  async readdir(path: string): Promise<string[]> {
    const dir = await this.call(() => Promise.resolve(this.root.readdir(path)));
    const until = Date.now() + ATTR_CACHE_MS;
    const base = path === "/" ? "" : path;
    dir.names.forEach((name, i) => {
      const stat = dir.stats[i];
      if (stat) this.#attrs.set(`${base}/${name}`, { stat, until });
    });
    return [...dir.names];
  }

  reader(fh: number): ReadAhead {
    let reader = this.#readers.get(fh);
    if (!reader) {
      reader = new ReadAhead((position, length) =>
        this.call(() => Promise.resolve(this.root.read(fh, position, length))),
      );
      this.#readers.set(fh, reader);
    }
    return reader;
  }

  dropReader(fh: number): void {
    this.#readers.get(fh)?.clear();
    this.#readers.delete(fh);
  }

  /** The binding's handler table for this mount. */
  ops(): FuseOps {
    const root = this.root;
    /** Adapts a promise-returning handler to the binding's callback. */
    const handle =
      <A extends unknown[]>(
        run: (...args: A) => Promise<unknown>,
        reply: (cb: FuseCallback, value: unknown) => void = (cb) => cb(0),
      ) =>
      (...args: [...A, FuseCallback]) => {
        const cb = args.pop() as FuseCallback;
        run(...(args as unknown as A)).then(
          (value) => reply(cb, value),
          (error: unknown) => cb(toErrno(error)),
        );
      };
    const remote = <T>(run: () => T): Promise<Awaited<T>> =>
      this.call(() => Promise.resolve(run()) as Promise<Awaited<T>>);

    return {
      init: (cb: FuseCallback) => cb(0),
      getattr: handle(
        (path: string) => this.getattr(path),
        (cb, s) => cb(0, toFuseStat(s as WireStat)),
      ),
      fgetattr: handle(
        (path: string, fh: number) => remote(() => root.fgetattr(fh)),
        (cb, s) => cb(0, toFuseStat(s as WireStat)),
      ),
      readdir: handle(
        (path: string) => this.readdir(path),
        (cb, names) => cb(0, names),
      ),
      open: handle(
        (path: string, flags: number) => remote(() => root.open(path, flags)),
        (cb, fh) => cb(0, fh),
      ),
      create: handle(
        (path: string, mode: number) => {
          this.forget(path);
          return remote(() => root.create(path, mode));
        },
        (cb, fh) => cb(0, fh),
      ),
      read: (
        path: string,
        fh: number,
        buffer: Buffer,
        length: number,
        position: number,
        cb: FuseCallback,
      ) => {
        this.reader(fh)
          .read(position, length)
          .then(
            (data) => {
              buffer.set(data.subarray(0, length));
              cb(Math.min(data.length, length));
            },
            (error: unknown) => cb(toErrno(error)),
          );
      },
      write: (
        path: string,
        fh: number,
        buffer: Buffer,
        length: number,
        position: number,
        cb: FuseCallback,
      ) => {
        this.forget(path);
        this.#readers.get(fh)?.clear();
        // The binding's buffer is only valid until cb: copy it for the wire.
        const data = Buffer.from(buffer.subarray(0, length));
        remote(() => root.write(fh, position, data)).then(
          (written) => cb(written),
          (error: unknown) => cb(toErrno(error)),
        );
      },
      flush: (path: string, fh: number, cb: FuseCallback) => cb(this.#lost ? errnoOf("EIO") : 0),
      fsync: handle((path: string, datasync: number, fh: number) =>
        remote(() => root.fsync(fh, Boolean(datasync))),
      ),
      release: handle((path: string, fh: number) => {
        this.dropReader(fh);
        this.forget(path);
        return remote(() => root.release(fh));
      }),
      truncate: handle((path: string, size: number) => {
        this.forget(path);
        return remote(() => root.truncate(path, size));
      }),
      ftruncate: handle((path: string, fh: number, size: number) => {
        this.forget(path);
        this.#readers.get(fh)?.clear();
        return remote(() => root.ftruncate(fh, size));
      }),
      mkdir: handle((path: string, mode: number) => {
        this.forget(path);
        return remote(() => root.mkdir(path, mode));
      }),
      rmdir: handle((path: string) => {
        this.forget(path);
        return remote(() => root.rmdir(path));
      }),
      unlink: handle((path: string) => {
        this.forget(path);
        return remote(() => root.unlink(path));
      }),
      rename: handle((from: string, to: string) => {
        // A renamed directory moves every cached path below it: drop them all.
        this.forgetAll();
        return remote(() => root.rename(from, to));
      }),
      symlink: handle((target: string, path: string) => {
        this.forget(path);
        return remote(() => root.symlink(target, path));
      }),
      readlink: handle(
        (path: string) => remote(() => root.readlink(path)),
        (cb, target) => cb(0, target),
      ),
      chmod: handle((path: string, mode: number) => {
        this.forget(path);
        return remote(() => root.chmod(path, mode));
      }),
      utimens: handle((path: string, atime: number, mtime: number) => {
        this.forget(path);
        return remote(() => root.utimens(path, atime, mtime));
      }),
      access: handle((path: string, mode: number) => remote(() => root.access(path, mode))),
      statfs: handle(
        () => remote(() => root.statfs()),
        (cb, s) => cb(0, s),
      ),
    } as unknown as FuseOps;
  }
}
