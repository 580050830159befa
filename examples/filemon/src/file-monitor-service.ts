/**
 * The file monitor service, after RPyC's demos/filemon: a client hands the server a path and a
 * callback; the server calls the callback whenever the path changes. The seed had the client
 * instantiate an exposed `FileMonitor` class remotely; here `watch()` returns the subscription
 * instead (same capability, one call).
 */
import { Service } from "@rpyc/core";
import { FileMonitorError } from "./errors.ts";
import type { EventCallback, HubSubscription, WatchHub, WatchOptions } from "./watch-hub.ts";

/**
 * A live subscription, handed to the client by reference.
 *
 * @example
 * const sub = await conn.root.watch("notes.txt", (e: FileEvent) => console.log(e));
 * await sub.cancel();
 */
export class FileSubscription {
  readonly #inner: HubSubscription;

  constructor(inner: HubSubscription) {
    this.#inner = inner;
  }

  /** The watched path, relative to the server's root. */
  path(): string {
    return this.#inner.path;
  }

  /** False once cancelled (by the client, or by the server after a failed delivery). */
  isActive(): boolean {
    return this.#inner.active;
  }

  /** Stops the events. Idempotent; resolves once the server stopped watching for this client. */
  async cancel(): Promise<void> {
    await this.#inner.cancel();
  }
}

/**
 * What one connection sees. Serve it with `fileMonitorServiceFor(hub)`, which binds every
 * connection's instance to the same hub (shared watchers).
 *
 * @example
 * const sub = await conn.root.watch(".", onEvent, { mode: "poll", intervalMs: 500 });
 */
export class FileMonitorService extends Service {
  /** The wire name, also for the per-hub subclasses `fileMonitorServiceFor` makes. */
  static override serviceName = "FILEMONITOR";

  readonly #hub: WatchHub;
  readonly #subscriptions = new Set<HubSubscription>();
  #disconnected = false;

  constructor(hub: WatchHub) {
    super();
    this.#hub = hub;
  }

  /**
   * Calls `onEvent` for every change of `path` (a file or a directory, relative to the
   * server's root) until the subscription is cancelled or the connection closes. Resolves once
   * watching has begun. Throws `FileMonitorError` for a bad path or option, or past
   * `maxSubscriptions` live subscriptions on this connection.
   */
  async watch(
    path: string,
    onEvent: EventCallback,
    options: WatchOptions = {},
  ): Promise<FileSubscription> {
    for (const sub of this.#subscriptions) if (!sub.active) this.#subscriptions.delete(sub);
    const max = this.#hub.limits.maxSubscriptions;
    if (this.#subscriptions.size >= max) {
      throw new FileMonitorError(
        "RPYC_ERR_FILEMON_TOO_MANY_SUBSCRIPTIONS",
        `this connection already has ${max} live subscriptions: cancel one first`,
      );
    }
    const sub = await this.#hub.subscribe(path, onEvent, options);
    if (this.#disconnected) {
      // The connection closed while the watcher was starting: nobody is listening.
      await sub.cancel();
      throw new FileMonitorError("RPYC_ERR_FILEMON_BAD_REQUEST", "the connection closed meanwhile");
    }
    this.#subscriptions.add(sub);
    return new FileSubscription(sub);
  }

  /** The connection is gone: release its watchers (a watcher closes with its last subscriber). */
  override onDisconnect(): void {
    this.#disconnected = true;
    const subs = [...this.#subscriptions];
    this.#subscriptions.clear();
    // Nobody awaits a disconnect: closing a watcher finishes in the background.
    for (const sub of subs) sub.cancel().catch(() => {});
  }
}

/**
 * A `FileMonitorService` class bound to one hub, for `serve()`.
 *
 * @example
 * const server = await serve(fileMonitorServiceFor(new WatchHub("/srv/data")), { port: 18871 });
 */
export function fileMonitorServiceFor(hub: WatchHub): new () => FileMonitorService {
  return class HubFileMonitorService extends FileMonitorService {
    constructor() {
      super(hub);
    }
  };
}
