/**
 * Watches one path (a file or a directory) and reports `FileEvent`s to its listeners.
 *
 * Two triggers, one truth: in "watch" mode `fs.watch` wakes the watcher, in "poll" mode a timer
 * does (RPyC's filemon demo polled `os.stat` every second); either way the watcher re-reads the
 * directory and diffs it against the last snapshot (directory-snapshot.ts). A file is watched
 * through its parent directory, so a delete, re-create or rename of the file itself is seen.
 * If `fs.watch` fails (the watched directory was removed, or the platform lacks it) the watcher
 * falls back to polling.
 */
import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { diffSnapshots, takeSnapshot, type Snapshot } from "./directory-snapshot.ts";
import type { FileEvent } from "./file-event.ts";

/** How a watcher notices changes. */
export type WatchMode = "watch" | "poll";

export interface PathWatcherOptions {
  /** Default "watch". */
  mode?: WatchMode;
  /** Poll period in "poll" mode (and after a fallback), in ms. Default 1000, like the seed. */
  intervalMs?: number;
  /** Most entries one scan reads. Default 10,000. */
  maxEntries?: number;
  /** Makes an event path from an absolute one (the server reports paths relative to its root). */
  pathOf?: (absolute: string) => string;
}

/** Poll period unless told otherwise, in ms. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;
/** Most entries one directory scan reads. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * A watcher on one path. Start it with `PathWatcher.start`, which resolves once the first
 * snapshot is taken: every change after that is reported.
 *
 * @example
 * const watcher = await PathWatcher.start("/tmp/notes", (events) => console.log(events));
 * await watcher.close();
 */
export class PathWatcher {
  readonly target: string;
  readonly #dir: string;
  /** Only this entry of `#dir` is reported, when the target is a file. */
  readonly #only: string | undefined;
  readonly #listener: (events: FileEvent[]) => void;
  readonly #intervalMs: number;
  readonly #maxEntries: number;
  readonly #pathOf: (absolute: string) => string;
  #mode: WatchMode;
  #fsWatcher: FSWatcher | undefined;
  #poller: ReturnType<typeof setInterval> | undefined;
  #snapshot: Snapshot = new Map();
  #scanning: Promise<void> | undefined;
  #dirty = false;
  #closed = false;

  private constructor(
    target: string,
    isDirectory: boolean,
    listener: (events: FileEvent[]) => void,
    options: PathWatcherOptions,
  ) {
    this.target = target;
    this.#dir = isDirectory ? target : dirname(target);
    this.#only = isDirectory ? undefined : basename(target);
    this.#listener = listener;
    this.#mode = options.mode ?? "watch";
    this.#intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#pathOf = options.pathOf ?? ((p) => p);
  }

  /**
   * Starts watching `target` (absolute). A target that does not exist yet is watched as a file
   * (its creation is reported); its directory must exist.
   */
  static async start(
    target: string,
    listener: (events: FileEvent[]) => void,
    options: PathWatcherOptions = {},
  ): Promise<PathWatcher> {
    const isDirectory = await stat(target).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const watcher = new PathWatcher(target, isDirectory, listener, options);
    await watcher.#begin();
    return watcher;
  }

  /** "watch" or "poll": what wakes the watcher now (a failed `fs.watch` turns into "poll"). */
  get mode(): WatchMode {
    return this.#mode;
  }

  /** Stops watching: closes the `fs.watch` handle or the poll timer. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#fsWatcher?.close();
    this.#fsWatcher = undefined;
    clearInterval(this.#poller);
    this.#poller = undefined;
    await this.#scanning;
  }

  async #begin(): Promise<void> {
    // Wake-ups that arrive before the first snapshot only mark it dirty, so nothing between
    // "start watching" and "first snapshot" is lost.
    this.#scanning = (async () => {
      if (this.#mode === "watch") this.#startFsWatch();
      else this.#startPolling();
      this.#snapshot = await this.#read();
    })();
    await this.#scanning;
    this.#scanning = undefined;
    if (this.#dirty) this.#wake();
  }

  #startFsWatch(): void {
    try {
      this.#fsWatcher = watch(this.#dir, { persistent: true }, (_type, name) => {
        // For a file target only its own name matters (a rename to or from it names it too).
        if (this.#only === undefined || name === null || name === this.#only) this.#wake();
      });
      this.#fsWatcher.on("error", () => this.#fallBackToPolling());
    } catch {
      this.#fallBackToPolling();
    }
  }

  #fallBackToPolling(): void {
    this.#fsWatcher?.close();
    this.#fsWatcher = undefined;
    if (this.#closed || this.#poller) return;
    this.#mode = "poll";
    this.#startPolling();
    this.#wake();
  }

  #startPolling(): void {
    this.#poller = setInterval(() => this.#wake(), this.#intervalMs);
  }

  /** Something may have changed: scan now, or right after the scan in progress. */
  #wake(): void {
    if (this.#closed) return;
    if (this.#scanning) {
      this.#dirty = true;
      return;
    }
    this.#dirty = false;
    this.#scanning = this.#scan().finally(() => {
      this.#scanning = undefined;
      if (this.#dirty) this.#wake();
    });
  }

  async #scan(): Promise<void> {
    let next: Snapshot;
    try {
      next = await this.#read();
    } catch {
      return; // e.g. too many entries: keep the old snapshot and try again on the next wake-up
    }
    if (this.#closed) return;
    const only = this.#only;
    const relevant = diffSnapshots(this.#snapshot, next, (name) => name).filter(
      (e) => only === undefined || e.path === only || e.oldPath === only,
    );
    this.#snapshot = next;
    if (relevant.length === 0) return;
    const pathOf = (name: string) => this.#pathOf(join(this.#dir, name));
    this.#listener(
      relevant.map((e) =>
        e.oldPath === undefined
          ? { ...e, path: pathOf(e.path) }
          : { ...e, path: pathOf(e.path), oldPath: pathOf(e.oldPath) },
      ),
    );
  }

  // A file target reads its whole directory too: a rename to or from it is only recognisable
  // by finding the inode under its other name.
  #read(): Promise<Snapshot> {
    return takeSnapshot(this.#dir, this.#maxEntries);
  }
}
