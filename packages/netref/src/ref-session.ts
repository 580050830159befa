/**
 * `RefSession`: everything one connection knows about objects — my exports, my imports, the
 * peer's root netref, boxing and unboxing against those tables, and my access policy. The
 * connection (in @rpyc/core) implements `NetrefHost` to move the requests this session makes.
 *
 * Ownership: values passed to `startOp` are boxed immediately (a later mutation by the caller is
 * not seen); a wire value passed to `unbox` belongs to the session (it is unboxed in place).
 */
import { type Op, ROOT_ID, RefKind, WireRef } from "@rpyc/protocol";
import { type AccessConfig, DEFAULT_ACCESS_CONFIG } from "./access-policy.ts";
import {
  type BoxHooks,
  type UnboxHooks,
  box,
  boxArgs,
  forEachRef,
  isPrimitive,
  unbox,
} from "./boxing.ts";
import { BoxingError, ReleasedNetrefError, UnknownRefError } from "./errors.ts";
import { type ErrorClassLookup, lookupErrorClass } from "./error-boxing.ts";
import { ExportTable } from "./export-table.ts";
import { ImportTable } from "./import-table.ts";
import {
  type CallOptions,
  type NetrefCore,
  type OutgoingCall,
  type SessionLike,
  netrefViews,
  remotePromises,
} from "./netref-state.ts";
import { createNetrefProxy } from "./netref-proxy.ts";
import { pendingRefOf } from "./remote-promise.ts";

/**
 * What a session needs from its connection. Implemented by @rpyc/core's `Connection`.
 *
 * @example
 * const host: NetrefHost = {
 *   request: (op, target, name, args, options, keepAlive) => queueAndSend(...),
 *   scheduleRelease: (id, count) => batch.add(id, count),
 * };
 */
export interface NetrefHost {
  /**
   * Queues one request (args already boxed). It must leave at the end of the current microtask,
   * after every request queued before it, and must keep `keepAlive` (the target proxy)
   * referenced until the reply arrives (a pending call pins its target).
   */
  request(
    op: Op,
    target: WireRef,
    name: string | number | undefined,
    args: readonly unknown[],
    options: CallOptions | undefined,
    keepAlive: object,
  ): OutgoingCall;
  /** Adds `count` releases of the peer's export `id` to the next batched `Release` message. */
  scheduleRelease(id: number, count: number): void;
  /**
   * Optional: a lazy member of a remote promise was made. Requests queued now must then wait
   * one more microtask before they leave, so that an `await` on that member (whose `then`
   * runs a microtask later) can still pipeline on them. Without it, every flush waits.
   */
  expectPipelined?(): void;
}

/**
 * @example
 * new RefSession(host, { root: service, access: { allowPublicAttrs: true } });
 */
export interface RefSessionOptions {
  /** My service root (export id 0). */
  readonly root: object;
  /** My access policy (defaults: `DEFAULT_ACCESS_CONFIG`). */
  readonly access?: Partial<AccessConfig>;
  /** Send error stacks to the peer (default true). */
  readonly includeRemoteStack?: boolean;
  /** Deepest nesting boxed (default 64; keep it at most the codec's limit). */
  readonly maxDepth?: number;
  /** The codec carries shared structure and cycles (default false: cycles are refused). */
  readonly allowCycles?: boolean;
  /** Classes remote errors are rebuilt as (default: built-ins, netref's and registered ones). */
  readonly errorClass?: ErrorClassLookup;
  /** Names the peer in netref descriptions, e.g. "ECHO". */
  readonly peerName?: () => string;
}

/**
 * Snapshot of a session's tables.
 *
 * @example
 * session.stats(); // { exported: 0, imported: 0 }
 */
export interface RefStats {
  /** My exports the peer holds, the root excluded. */
  readonly exported: number;
  /** The peer's objects I hold netrefs to (entries awaiting release included). */
  readonly imported: number;
}

function failedCall(error: unknown): OutgoingCall {
  const promise = Promise.reject(error);
  promise.catch(() => undefined);
  return { seq: -1, promise, pin: () => undefined, canPin: () => false };
}

/**
 * Where the netrefs of a lost session go (`RefSession.reset`): every operation fails with the
 * session's `SessionLostError`, a release is a no-op (the peer forgot the id already).
 */
class LostSession implements SessionLike {
  constructor(
    readonly error: Error,
    readonly peerName: () => string,
  ) {}
  startOp(): OutgoingCall {
    return failedCall(this.error);
  }
  releaseNetref(core: NetrefCore): void {
    core.released = true;
    core.proxy = undefined;
  }
  expectPipelined(): void {}
  describe(core: NetrefCore): string {
    return `<netref #${core.id} of ${this.peerName()} (session lost)>`;
  }
}

/**
 * One connection's object state: tables, boxing, the peer's root netref (see the file header).
 *
 * @example
 * const session = new RefSession(host, { root: service });
 * const root = session.root; // the peer's service as a netref
 */
export class RefSession implements SessionLike {
  readonly exports: ExportTable;
  readonly imports: ImportTable;
  readonly access: AccessConfig;
  /** The peer's service root: a netref to its export 0 (no round trip needed). */
  readonly root: object;
  #closedError: Error | undefined;
  readonly #boxHooks: BoxHooks;
  readonly #unboxHooks: UnboxHooks;
  readonly #peerName: () => string;

  constructor(
    readonly host: NetrefHost,
    options: RefSessionOptions,
  ) {
    this.exports = new ExportTable(options.root);
    this.imports = new ImportTable((id, count) => host.scheduleRelease(id, count));
    this.access = { ...DEFAULT_ACCESS_CONFIG, ...options.access };
    this.#peerName = options.peerName ?? (() => "peer");
    const errorClass = options.errorClass ?? lookupErrorClass;
    this.#boxHooks = {
      boxRef: (value) => this.#boxRef(value),
      includeStack: options.includeRemoteStack ?? true,
      maxDepth: options.maxDepth ?? 64,
      allowCycles: options.allowCycles ?? false,
    };
    this.#unboxHooks = { unboxRef: (ref) => this.#unboxRef(ref), errorClass };
    this.root = this.#newCore(ROOT_ID).proxy!;
  }

  #newCore(id: number): NetrefCore {
    const core: NetrefCore = {
      session: this,
      id,
      wireRef: new WireRef(RefKind.Yours, id),
      proxy: undefined,
      released: false,
    };
    core.proxy = createNetrefProxy(core, undefined);
    return core;
  }

  /** True once `close` ran. */
  get closed(): boolean {
    return this.#closedError !== undefined;
  }

  startOp(
    op: Op,
    target: WireRef,
    name: string | number | undefined,
    args: readonly unknown[],
    options: CallOptions | undefined,
    keepAlive: object,
  ): OutgoingCall {
    if (this.#closedError !== undefined) return failedCall(this.#closedError);
    let boxed: readonly unknown[];
    try {
      boxed = boxArgs(args, this.#boxHooks);
    } catch (err) {
      return failedCall(err);
    }
    return this.host.request(op, target, name, boxed, options, keepAlive);
  }

  expectPipelined(): void {
    this.host.expectPipelined?.();
  }

  releaseNetref(core: NetrefCore): void {
    if (core.released || core.id === ROOT_ID || core.session !== this) return;
    core.released = true;
    if (core.proxy !== undefined) this.imports.release(core.id, core.proxy);
    core.proxy = undefined;
  }

  describe(core: NetrefCore): string {
    const state = core.released ? " (released)" : this.closed ? " (closed)" : "";
    return core.id === ROOT_ID
      ? `<netref root of ${this.#peerName()}${state}>`
      : `<netref #${core.id} of ${this.#peerName()}${state}>`;
  }

  /** Boxes a value for the wire (a reply value, an error's fields). */
  box(value: unknown): unknown {
    return box(value, this.#boxHooks);
  }

  /** Unboxes a decoded wire value (in place). */
  unbox(value: unknown): unknown {
    return unbox(value, this.#unboxHooks);
  }

  /**
   * Unboxes a request's arguments. Top-level `Pending` refs are resolved with
   * `resolvePending(seq)` (pipelining): a `Promise` it returns is waited for (and the result is
   * then a promise), any other value is used as it is. Nested `Pending` refs are refused.
   */
  unboxArgs(
    args: readonly unknown[],
    resolvePending: (seq: number) => unknown,
  ): unknown[] | Promise<unknown[]> {
    let i = 0;
    while (i < args.length && isPrimitive(args[i])) i++;
    if (i === args.length) return args as unknown[];
    const out = args as unknown[];
    let waits: Promise<unknown>[] | undefined;
    for (; i < out.length; i++) {
      const arg = out[i];
      if (arg instanceof WireRef && arg.kind === RefKind.Pending) {
        const resolved = resolvePending(arg.id);
        if (resolved instanceof Promise) {
          const index = i;
          (waits ??= []).push(resolved.then((value) => (out[index] = value)));
        } else {
          out[i] = resolved;
        }
      } else if (!isPrimitive(arg)) {
        out[i] = unbox(arg, this.#unboxHooks);
      }
    }
    return waits === undefined ? out : Promise.all(waits).then(() => out);
  }

  /**
   * Accounts for a received wire value nobody will use (a late reply): every export of the
   * peer it carries is released at once, so the peer's table does not leak.
   */
  discard(value: unknown): void {
    forEachRef(value, (ref) => {
      if (ref.kind === RefKind.Mine && ref.id !== ROOT_ID) this.host.scheduleRelease(ref.id, 1);
    });
  }

  /**
   * Undoes the exports a boxed value made when that value could not be sent after all (an
   * encoding failure): each `Mine` ref in it gives back its count.
   */
  unexport(boxed: unknown): void {
    forEachRef(boxed, (ref) => {
      if (ref.kind !== RefKind.Mine || ref.id === ROOT_ID) return;
      try {
        this.exports.release(ref.id, 1);
      } catch {
        // Already gone: nothing to undo.
      }
    });
  }

  #boxRef(value: object): WireRef {
    if (typeof value === "function") {
      const view = netrefViews.get(value);
      if (view !== undefined && view.core.session instanceof LostSession)
        throw view.core.session.error;
      if (view !== undefined && view.core.session === this) {
        if (view.core.released) throw new ReleasedNetrefError();
        return view.core.id === ROOT_ID
          ? view.core.wireRef
          : new WireRef(RefKind.Yours, view.core.id);
      }
      const state = remotePromises.get(value);
      if (state !== undefined) {
        const ref = state.session === this ? pendingRefOf(state) : undefined;
        if (ref === undefined) {
          throw new BoxingError(
            "a remote promise inside a value must be awaited before it is sent (only top-level arguments are pipelined)",
          );
        }
        return ref;
      }
    }
    return new WireRef(RefKind.Mine, this.exports.export(value));
  }

  #unboxRef(ref: WireRef): unknown {
    switch (ref.kind) {
      case RefKind.Mine:
        return ref.id === ROOT_ID
          ? this.root
          : this.imports.import(ref.id, () => this.#newCore(ref.id).proxy!);
      case RefKind.Yours:
        return this.exports.get(ref.id);
      default:
        throw new UnknownRefError(
          "a pipelined result can only be a request's target or a top-level argument",
        );
    }
  }

  /** Table sizes, for leak checks. */
  stats(): RefStats {
    return { exported: this.exports.size, imported: this.imports.size };
  }

  /**
   * The peer's session was lost (a reconnect without resume): every netref of it fails with
   * `error` from now on (it moves to a `LostSession`), both tables are cleared without
   * messages, and the session itself stays usable: `root` reaches the peer's new session.
   */
  reset(error: Error): void {
    const lost = new LostSession(error, this.#peerName);
    for (const proxy of this.imports.reset()) {
      const view = netrefViews.get(proxy);
      if (view !== undefined && view.core.session === this) view.core.session = lost;
    }
    this.exports.clear();
  }

  /** The connection closed: every later operation fails with `error`; both tables are cleared. */
  close(error: Error): void {
    if (this.#closedError !== undefined) return;
    this.#closedError = error;
    this.exports.clear();
    this.imports.clear();
  }
}
