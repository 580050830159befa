/**
 * Path confinement: every path a client sends is checked before any file-system call, so no
 * request reaches a file outside the exported root.
 *
 * - The path must be absolute within the export (`/`, `/a/b`), at most `MAX_PATH_BYTES`, with no
 *   NUL byte, no empty, `.` or `..` segment (FUSE never sends those; only a hand-made client does).
 * - Operations on an entry itself (lstat, unlink, rename, mkdir, symlink…) resolve the *parent*
 *   with `realpath` and require it inside the root: a symlinked directory leading out is refused.
 * - Operations that follow the entry (open, chmod, truncate, utimens…) resolve the whole path and
 *   require the result inside the root: a symlink leading out is refused.
 *
 * Refusals are `EACCES` errors naming the client's path only (never a server path). A racing
 * local process that swaps a checked directory for a symlink between check and use is not
 * covered (opens still pass `O_NOFOLLOW` on the resolved path); see the README's security notes.
 */
import { realpath } from "node:fs/promises";
import { basename, dirname, join, sep } from "node:path";
import { fsError } from "./fs-error.ts";

/** Longest client path accepted: 4096 bytes (Linux's PATH_MAX). */
export const MAX_PATH_BYTES = 4096;

/** The exported directory, resolved once, and the checks against it. */
export class Confinement {
  /** @param root the real path of the exported directory (see `Confinement.open`). */
  private constructor(readonly root: string) {}

  /** Resolves `dir` (which must be a directory) to its real path. */
  static async open(dir: string): Promise<Confinement> {
    return new Confinement(await realpath(dir));
  }

  /** A confinement of a subdirectory of this one (the client's `host:/relpath`). */
  async sub(clientPath: string): Promise<Confinement> {
    return new Confinement(await this.follow(clientPath));
  }

  /** Throws EINVAL/EACCES unless `clientPath` is a well-formed path inside the export. */
  #segments(clientPath: unknown): string[] {
    if (typeof clientPath !== "string" || !clientPath.startsWith("/")) {
      throw fsError("EINVAL", "paths must be strings starting with /");
    }
    if (Buffer.byteLength(clientPath) > MAX_PATH_BYTES) throw fsError("ENAMETOOLONG", "path");
    if (clientPath.includes("\0")) throw fsError("EINVAL", "path contains a NUL byte");
    if (clientPath === "/") return [];
    const segments = clientPath.slice(1).split("/");
    for (const s of segments) {
      if (s === "" || s === "." || s === "..") {
        throw fsError("EACCES", `${clientPath}: no empty, . or .. segments`);
      }
    }
    return segments;
  }

  #inside(real: string): boolean {
    return (
      real === this.root || real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep)
    );
  }

  async #real(full: string, clientPath: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(full);
    } catch (error) {
      throw fsError((error as NodeJS.ErrnoException).code ?? "EIO", clientPath);
    }
    if (!this.#inside(real)) throw fsError("EACCES", `${clientPath} leads out of the export`);
    return real;
  }

  /** The server path of the entry itself (its parent resolved and checked). */
  async entry(clientPath: string): Promise<string> {
    const segments = this.#segments(clientPath);
    if (segments.length === 0) return this.root;
    const full = join(this.root, ...segments);
    const parent = await this.#real(dirname(full), dirname(clientPath));
    return join(parent, basename(full));
  }

  /** The server path the entry leads to (every symlink resolved and checked). */
  async follow(clientPath: string): Promise<string> {
    const segments = this.#segments(clientPath);
    return this.#real(join(this.root, ...segments), clientPath);
  }
}
