/**
 * The plain data rpycfs sends over the wire (by value, no netrefs): attributes, directory
 * listings and file-system statistics. Times are milliseconds since the epoch.
 */

/** What `getattr` returns: the fields FUSE needs from an `lstat`. */
export interface WireStat {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly nlink: number;
  readonly ino: number;
  readonly rdev: number;
  readonly blksize: number;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** One directory listing with every entry's attributes (one round trip for `ls -l`/`find`). */
export interface WireDirectory {
  readonly names: readonly string[];
  /** `stats[i]` belongs to `names[i]`; `null` when the entry vanished while listing. */
  readonly stats: readonly (WireStat | null)[];
}

/** What `statfs` returns (statvfs fields). */
export interface WireStatfs {
  readonly bsize: number;
  readonly frsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
  readonly favail: number;
  readonly namemax: number;
}

/** Sentinels the (patched) binding passes for utimensat's UTIME_NOW and UTIME_OMIT. */
export const UTIME_NOW_MS = 2 ** 48 - 1;
export const UTIME_OMIT_MS = 2 ** 48 - 2;
