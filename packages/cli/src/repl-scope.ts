/**
 * The names the REPL (and `--eval`) puts in scope for an open target: `conn`, `root` and
 * core's helpers `keys`, `obtain`, `release`, `inspect`, `repr`; on a classic server also
 * `classic`, `modules`, `eval`, `execute`, `namespace`, `teleport`, `upload`, `download`,
 * `deliver`, `redirectStdio`. `upload`/`download` draw a progress bar on a terminal unless given
 * their own `onProgress`.
 */
import type { ClassicConnection, TransferOptions, TransferResult } from "@rpyc/classic";
import { inspect, keys, obtain, release, repr } from "@rpyc/core";
import type { OpenedTarget } from "./open-target.ts";
import { createProgressBar, type ProgressStream } from "./progress-bar.ts";

/** A scope: plain values, plus accessors (read each time, e.g. `namespace`). */
export type Scope = Record<string, { value: unknown } | { get: () => unknown }>;

/**
 * The scope of `opened`. `progress` is where transfer progress bars go (nothing unless a TTY).
 *
 * @example
 * const scope = scopeOf(await openTarget(target), process.stdout);
 */
export function scopeOf(opened: OpenedTarget, progress: ProgressStream): Scope {
  const { conn, classic } = opened;
  const scope: Scope = {
    conn: { value: conn },
    root: { value: conn.root },
    keys: { value: keys },
    obtain: { value: obtain },
    release: { value: release },
    inspect: { value: inspect },
    repr: { value: repr },
  };
  if (classic === undefined) return scope;
  return {
    ...scope,
    classic: { value: classic },
    modules: { value: classic.modules },
    eval: { value: (source: string) => classic.eval(source) },
    execute: { value: (source: string) => classic.execute(source) },
    // A getter: each read is the session's namespace (no netref kept between reads).
    namespace: { get: () => classic.namespace },
    teleport: { value: (fn: (...args: any[]) => any) => classic.teleport(fn) },
    upload: { value: transfer(classic, "upload", progress) },
    download: { value: transfer(classic, "download", progress) },
    deliver: { value: (value: unknown) => classic.deliver(value) },
    redirectStdio: { value: () => classic.redirectStdio() },
  };
}

function transfer(
  classic: ClassicConnection,
  direction: "upload" | "download",
  progress: ProgressStream,
) {
  return async (
    from: string,
    to: string,
    options: TransferOptions = {},
  ): Promise<TransferResult> => {
    if (options.onProgress !== undefined) return classic[direction](from, to, options);
    const bar = createProgressBar(progress, `${direction} ${from}`);
    try {
      return await classic[direction](from, to, { ...options, onProgress: bar.onProgress });
    } finally {
      bar.finish();
    }
  };
}

/** Per target: the names a scope defined, with what they were before (to put it back). */
const shadowed = new WeakMap<object, Map<string, PropertyDescriptor | undefined>>();

/**
 * Defines `scope` on `target` (a REPL context), first undoing what an earlier scope defined
 * (a shadowed global such as `eval` gets its own value back).
 *
 * @example
 * defineScope(replServer.context, scopeOf(opened, process.stdout));
 */
export function defineScope(target: object, scope: Scope): void {
  const previous = shadowed.get(target) ?? new Map<string, PropertyDescriptor | undefined>();
  for (const [name, original] of previous) {
    delete (target as Record<string, unknown>)[name];
    if (original !== undefined) Object.defineProperty(target, name, original);
  }
  previous.clear();
  for (const [name, entry] of Object.entries(scope)) {
    previous.set(name, Object.getOwnPropertyDescriptor(target, name));
    Object.defineProperty(target, name, {
      ...entry,
      configurable: true,
      enumerable: false,
      ...("value" in entry ? { writable: true } : {}),
    });
  }
  shadowed.set(target, previous);
}
