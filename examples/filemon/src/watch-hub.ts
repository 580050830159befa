/**
 * The server side of every subscription: one `PathWatcher` per (path, mode, interval), shared
 * by all subscribers of that path, and one delivery queue per subscriber.
 *
 * Fan-out never waits: a watcher hands its events to each subscriber's `DeliveryQueue` and
 * returns, so a slow or dead client only delays itself. A subscriber whose callback fails, times
 * out or falls `maxQueued` events behind is cancelled. A watcher closes with its last subscriber.
 */
import { isNetref, release } from "@rpyc/core";
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { DEFAULT_DELIVERY_LIMITS, DeliveryQueue, type DeliveryLimits } from "@rpyc/core";
import { FileMonitorError } from "./errors.ts";
import type { FileEvent } from "./file-event.ts";
import {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_POLL_INTERVAL_MS,
  PathWatcher,
  type WatchMode,
} from "./path-watcher.ts";

/** Bounds of the file monitor. */
export interface FileMonitorLimits extends DeliveryLimits {
  /** Live subscriptions per connection. */
  maxSubscriptions: number;
  /** Shortest poll interval a client may ask for, in ms. */
  minPollIntervalMs: number;
  /** Most entries one directory scan reads. */
  maxEntries: number;
}

/**
 * The limits a `WatchHub` uses unless told otherwise.
 *
 * @example
 * new WatchHub(root, { limits: { ...DEFAULT_FILEMON_LIMITS, maxQueued: 100 } });
 */
export const DEFAULT_FILEMON_LIMITS: Readonly<FileMonitorLimits> = Object.freeze({
  ...DEFAULT_DELIVERY_LIMITS,
  maxSubscriptions: 32,
  minPollIntervalMs: 10,
  maxEntries: DEFAULT_MAX_ENTRIES,
});

/** How a client wants a path watched. */
export interface WatchOptions {
  /** "watch" (`fs.watch`, the default) or "poll" (stat polling, like the seed). */
  mode?: WatchMode;
  /** Poll period in ms for "poll" mode. Default 1000. */
  intervalMs?: number;
}

/** A callback for events: local in tests, a netref to the client's function over a connection. */
export type EventCallback = (event: FileEvent) => unknown;

interface Shared {
  watcher: Promise<PathWatcher>;
  subscribers: Set<Subscriber>;
}

/**
 * One subscriber's handle on a shared watcher (what `FileSubscription` wraps).
 * @internal
 */
export interface HubSubscription {
  readonly path: string;
  cancel(): Promise<void>;
  readonly active: boolean;
}

/**
 * Watchers and subscribers of one server, confined to one root directory.
 *
 * @example
 * const hub = new WatchHub("/srv/watched");
 * const sub = await hub.subscribe("notes.txt", (e) => console.log(e));
 * await sub.cancel();
 */
export class WatchHub {
  readonly root: string;
  readonly #limits: FileMonitorLimits;
  readonly #shared = new Map<string, Shared>();

  constructor(root: string, options: { limits?: Partial<FileMonitorLimits> } = {}) {
    this.root = resolve(root);
    this.#limits = { ...DEFAULT_FILEMON_LIMITS, ...options.limits };
  }

  get limits(): Readonly<FileMonitorLimits> {
    return this.#limits;
  }

  /** Live `fs.watch` handles and poll timers (0 once every subscriber is gone). */
  get watcherCount(): number {
    return this.#shared.size;
  }

  /** Live subscriptions, over all connections. */
  get subscriberCount(): number {
    let n = 0;
    for (const shared of this.#shared.values()) n += shared.subscribers.size;
    return n;
  }

  /**
   * Subscribes `onEvent` to changes of `path` (relative to the root). Resolves once watching
   * has begun: every change after that is reported. Throws `FileMonitorError` for a path
   * outside the root, a missing directory, or a bad argument.
   */
  async subscribe(
    path: unknown,
    onEvent: unknown,
    options: WatchOptions = {},
  ): Promise<HubSubscription> {
    try {
      return await this.#subscribe(path, onEvent, options);
    } catch (err) {
      // A refused callback is handed back at once, so the client's tables do not keep it.
      releaseQuietly(onEvent);
      throw err;
    }
  }

  async #subscribe(
    path: unknown,
    onEvent: unknown,
    options: WatchOptions,
  ): Promise<HubSubscription> {
    if (typeof onEvent !== "function") {
      throw new FileMonitorError("RPYC_ERR_FILEMON_BAD_REQUEST", "onEvent must be a function");
    }
    const { mode, intervalMs } = this.#checkOptions(options);
    const target = await this.#resolve(path);
    const key = `${mode}:${mode === "poll" ? intervalMs : 0}:${target}`;
    const relPath = this.#relative(target) || ".";
    const callback = onEvent as EventCallback;
    for (;;) {
      const shared = this.#shared.get(key) ?? this.#startWatcher(key, target, mode, intervalMs);
      await shared.watcher;
      // The last subscriber may have left (closing the watcher) while we waited: start over.
      if (this.#shared.get(key) !== shared) continue;
      const sub = new Subscriber(relPath, callback, this.#limits, async (s) => {
        shared.subscribers.delete(s);
        releaseQuietly(callback);
        if (shared.subscribers.size === 0 && this.#shared.get(key) === shared) {
          this.#shared.delete(key);
          await (await shared.watcher).close();
        }
      });
      shared.subscribers.add(sub);
      return sub;
    }
  }

  /** Cancels every subscription and closes every watcher. */
  async close(): Promise<void> {
    const all = [...this.#shared.values()].flatMap((s) => [...s.subscribers]);
    await Promise.all(all.map((s) => s.cancel()));
  }

  #startWatcher(key: string, target: string, mode: WatchMode, intervalMs: number): Shared {
    const subscribers = new Set<Subscriber>();
    const watcher = PathWatcher.start(
      target,
      // Fan-out: each push only queues, so this loop never waits for a client.
      (events) => {
        for (const sub of subscribers) for (const e of events) sub.push(e);
      },
      {
        mode,
        intervalMs,
        maxEntries: this.#limits.maxEntries,
        pathOf: (abs) => this.#relative(abs),
      },
    );
    const shared: Shared = { watcher, subscribers };
    this.#shared.set(key, shared);
    watcher.catch(() => {
      if (this.#shared.get(key) === shared) this.#shared.delete(key);
    });
    return shared;
  }

  /** A path relative to the root, with `/` separators on every platform. */
  #relative(absolute: string): string {
    return relative(this.root, absolute).split(sep).join("/");
  }

  #checkOptions(options: WatchOptions): { mode: WatchMode; intervalMs: number } {
    if (typeof options !== "object" || options === null) {
      throw new FileMonitorError("RPYC_ERR_FILEMON_BAD_REQUEST", "options must be an object");
    }
    const mode = options.mode ?? "watch";
    if (mode !== "watch" && mode !== "poll") {
      throw new FileMonitorError(
        "RPYC_ERR_FILEMON_BAD_REQUEST",
        `mode must be "watch" or "poll", got ${String(mode)}`,
      );
    }
    const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (
      typeof intervalMs !== "number" ||
      !Number.isFinite(intervalMs) ||
      intervalMs < this.#limits.minPollIntervalMs
    ) {
      throw new FileMonitorError(
        "RPYC_ERR_FILEMON_BAD_REQUEST",
        `intervalMs must be a number of at least ${this.#limits.minPollIntervalMs}`,
      );
    }
    return { mode, intervalMs };
  }

  /** The absolute target for a client path, refusing anything outside the root (symlinks too). */
  async #resolve(path: unknown): Promise<string> {
    if (
      typeof path !== "string" ||
      path.length === 0 ||
      path.length > 4096 ||
      path.includes("\0")
    ) {
      throw new FileMonitorError(
        "RPYC_ERR_FILEMON_BAD_REQUEST",
        "path must be a non-empty string relative to the server's root",
      );
    }
    const outside = () =>
      new FileMonitorError(
        "RPYC_ERR_FILEMON_OUTSIDE_ROOT",
        `${path} is outside the monitored root: use a path relative to it, without ".."`,
      );
    const target = resolve(this.root, path);
    if (!isInside(this.root, target)) throw outside();
    // The path (or, if it does not exist yet, its directory) must exist, and its real location
    // must still be inside the real root: a symlink cannot lead out.
    const real = await realpath(target).catch(() =>
      realpath(dirname(target)).catch(() => {
        throw new FileMonitorError(
          "RPYC_ERR_FILEMON_NOT_FOUND",
          `${path}: neither it nor its directory exists on the server`,
        );
      }),
    );
    if (!isInside(await realpath(this.root), real)) throw outside();
    return target;
  }
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** One subscriber: a delivery queue in front of the client's callback. */
class Subscriber implements HubSubscription {
  readonly path: string;
  readonly #queue: DeliveryQueue<FileEvent>;
  readonly #onEnd: (s: Subscriber) => Promise<void>;
  #ended: Promise<void> | undefined;

  constructor(
    path: string,
    callback: EventCallback,
    limits: FileMonitorLimits,
    onEnd: (s: Subscriber) => Promise<void>,
  ) {
    this.path = path;
    this.#onEnd = onEnd;
    this.#queue = new DeliveryQueue<FileEvent>(
      (event) => callback(event),
      () => void this.cancel(),
      limits,
    );
  }

  get active(): boolean {
    return this.#ended === undefined;
  }

  push(event: FileEvent): void {
    this.#queue.push(event);
  }

  cancel(): Promise<void> {
    if (!this.#ended) {
      this.#queue.close();
      this.#ended = this.#onEnd(this);
    }
    return this.#ended;
  }
}

/**
 * Hands a remote callback back to its owner (no-op for a local function). Never throws: on a
 * connection that is already closed there is nothing left to release.
 */
function releaseQuietly(callback: unknown): void {
  try {
    if (isNetref(callback)) release(callback);
  } catch {
    // the connection is gone, and its tables with it
  }
}
