/**
 * `PythonConnection`: one RPyC connection to a Python peer over a byte stream (TCP, TLS, Unix
 * socket), in one dialect. Symmetric like RPyC: this side calls the peer's objects through
 * netrefs and serves the peer's requests on its own objects (its root service, callbacks and
 * objects it sent).
 *
 * - Requests carry this side's sequence numbers (from 0); the peer's requests carry its own.
 *   Node always reads the socket, so a Python callback into JS is served while a JS call to
 *   Python is pending, to any depth.
 * - A call waits at most `timeout` ms (30 s by default, `withOptions` per call); a late reply
 *   is dropped and the connection stays usable.
 * - On close (either side, or the socket failing) every pending call rejects with
 *   `ConnectionClosedError`, both tables are cleared and `closed` resolves.
 */
import type { Duplex } from "node:stream";
import { ConnectionClosedError, TimeoutError, waitAtMost } from "@rpyc/core";
import { DEFAULT_ACCESS_CONFIG, type AccessConfig } from "@rpyc/netref";
import { isBrineable } from "./brine-encode.ts";
import { DEFAULT_BRINE_LIMITS, type BrineLimits } from "./brine-limits.ts";
import { BrineError, RPYC_ERR_BRINE_MALFORMED, RPYC_ERR_BRINE_UNSUPPORTED } from "./errors.ts";
import { ExportTable } from "./export-table.ts";
import { FrameReader, encodeFrame } from "./framing.ts";
import { Handler, type IdPack, Label, handlerName, isIdPack } from "./handlers.ts";
import { type HandlerContext, serveHandler } from "./js-handlers.ts";
import { namePackOf } from "./js-objects.ts";
import {
  type Dialect,
  MsgType,
  type PythonMessage,
  decodeMessage,
  detectDialect,
  encodeMessage,
} from "./messages.ts";
import { dumpJsException, loadPythonException } from "./python-exceptions.ts";
import {
  type NetrefHost,
  type PyCallOptions,
  type PyNetref,
  type PyPending,
  type RefState,
  createNetref,
  netrefMeta,
  pendingOf,
} from "./python-netref.ts";

/** Settings of a connection to a Python peer. Every field has a default. */
export interface PythonConfig {
  /** Milliseconds a call waits for its reply. Default 30,000 (RPyC's `sync_request_timeout`). */
  readonly timeout: number;
  /** Brine and framing limits. Default `DEFAULT_BRINE_LIMITS`. */
  readonly limits: BrineLimits;
  /** What the Python peer may reach on this side's objects. Default: deny-by-default. */
  readonly access: AccessConfig;
  /** Send JS stacks with errors (RPyC's `include_local_traceback`). Default true. */
  readonly includeStack: boolean;
  /** Most objects exported to the peer at once. Default 100,000. */
  readonly maxExports: number;
  /** Most peer requests running at once; more are refused with an exception. Default 128. */
  readonly maxIncoming: number;
  /** Most items one BUFFITER from the peer may take. Default 10,000. */
  readonly maxBatch: number;
  /** Milliseconds `close()` waits for the peer to close its side. Default 2,000. */
  readonly closeTimeout: number;
}

/**
 * The defaults of `PythonConfig`.
 *
 * @example
 * connectPython("127.0.0.1", 18861, { dialect: "6", config: { timeout: 5_000 } });
 */
export const DEFAULT_PYTHON_CONFIG: PythonConfig = Object.freeze({
  timeout: 30_000,
  limits: DEFAULT_BRINE_LIMITS,
  access: DEFAULT_ACCESS_CONFIG,
  includeStack: true,
  maxExports: 100_000,
  maxIncoming: 128,
  maxBatch: 10_000,
  closeTimeout: 2_000,
});

/** Options of a connection (see `connectPython` and `servePython`). */
export interface PythonConnectionOptions {
  /** The wire to speak; undefined = learn it from the peer's first frame (servers). */
  readonly dialect?: Dialect;
  /** This side's root, what the peer's `conn.root` is. Default: an object exposing nothing. */
  readonly service?: object;
  /** Name announced by `get_service_name()`. Default: from the service's class ("EchoService" → "ECHO"). */
  readonly serviceName?: string;
  readonly serviceAliases?: readonly string[];
  readonly config?: Partial<PythonConfig>;
}

/** Table sizes and calls in flight, for leak checks. */
export interface PythonConnectionStats {
  /** JS objects the peer holds netrefs to. */
  readonly exported: number;
  /** Python objects this side holds netrefs to. */
  readonly imported: number;
  /** This side's requests waiting for a reply (DELs included). */
  readonly pending: number;
  /** The peer's requests being served. */
  readonly serving: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function serviceNameFor(service: object): string {
  const ctor = (Object.getPrototypeOf(service) as { constructor?: Function } | null)?.constructor;
  const raw = typeof ctor === "function" && ctor !== Object ? ctor.name : "Void";
  const base = raw.endsWith("Service") && raw !== "Service" ? raw.slice(0, -7) : raw;
  return (base || "VOID").toUpperCase();
}

/**
 * @example
 * const conn = await connectPython("127.0.0.1", port, { dialect: "5" });
 * console.log(await conn.root.echo(1)); // 1
 * await conn.close();
 */
export class PythonConnection implements NetrefHost {
  readonly config: PythonConfig;
  /** The peer's root service: `await conn.root.method(args)`. */
  readonly root: PyPending;
  /** Resolves once the connection is closed (never rejects). */
  readonly closed: Promise<void>;

  #dialect: Dialect | undefined;
  readonly #socket: Duplex;
  readonly #reader: FrameReader;
  readonly #exports: ExportTable;
  readonly #imports = new Map<string, RefState>();
  readonly #proxies = new Map<RefState, WeakRef<PyNetref>>();
  readonly #collected = new FinalizationRegistry<RefState>((state) => this.releaseState(state));
  readonly #pending = new Map<number, Pending>();
  readonly #ctx: HandlerContext;
  #serving = 0;
  #seq = 0;
  #isClosed = false;
  #rootNetref: Promise<unknown> | undefined;
  #markClosed!: () => void;
  #firstFrame = true;

  constructor(socket: Duplex, options: PythonConnectionOptions = {}) {
    this.config = { ...DEFAULT_PYTHON_CONFIG, ...options.config };
    this.#dialect = options.dialect;
    this.#socket = socket;
    this.#reader = new FrameReader(this.config.limits);
    this.#exports = new ExportTable(this.config.maxExports);
    const service = options.service ?? Object.create(null);
    this.#ctx = {
      root: service,
      serviceName: options.serviceName?.toUpperCase() ?? serviceNameFor(service),
      serviceAliases: options.serviceAliases ?? [],
      exports: this.#exports,
      access: this.config.access,
      maxBatch: this.config.maxBatch,
      close: () => this.#cleanup(undefined),
    };
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.root = pendingOf(() => (this.#rootNetref ??= this.request(Handler.GETROOT, [], {})));
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err) => this.#cleanup(err));
    socket.on("close", () => this.#cleanup(undefined));
    socket.on("end", () => this.#cleanup(undefined));
  }

  /** The dialect spoken (undefined on a server until the peer's first frame). */
  get dialect(): Dialect | undefined {
    return this.#dialect;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /**
   * Table sizes and calls in flight.
   *
   * @example
   * expect(conn.stats()).toEqual({ exported: 0, imported: 0, pending: 0, serving: 0 });
   */
  stats(): PythonConnectionStats {
    return {
      exported: this.#exports.size,
      imported: this.#imports.size,
      pending: this.#pending.size,
      serving: this.#serving,
    };
  }

  /**
   * RPyC's `conn.ping()`: the peer echoes `data`.
   *
   * @example
   * await conn.ping("abc"); // "abc"
   */
  ping(data: unknown = "rpyc-ts ping"): Promise<unknown> {
    return this.request(Handler.PING, [data], {});
  }

  /**
   * Sends one request (`args` starts with the target object when the handler has one) and
   * resolves with the unboxed reply. The low-level door under netrefs.
   *
   * @example
   * await conn.request(Handler.PING, ["x"]); // "x"
   */
  request(
    handler: number,
    args: readonly unknown[],
    options: PyCallOptions = {},
  ): Promise<unknown> {
    if (this.#isClosed) return Promise.reject(new ConnectionClosedError());
    if (this.#dialect === undefined) {
      return Promise.reject(
        new ConnectionClosedError("the peer's dialect is not known yet (it has sent nothing)"),
      );
    }
    const seq = this.#seq++;
    let body: unknown;
    try {
      body = [handler, this.#box(args, 0)];
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const timeout = options.timeout ?? this.config.timeout;
      const entry: Pending = { resolve, reject, timer: undefined };
      if (Number.isFinite(timeout)) {
        entry.timer = setTimeout(() => {
          this.#pending.delete(seq);
          reject(new TimeoutError(`${handlerName(handler)} got no reply within ${timeout} ms`));
        }, timeout);
      }
      this.#pending.set(seq, entry);
      try {
        this.#send({ type: MsgType.REQUEST, seq, body });
      } catch (err) {
        this.#settle(seq)?.reject(err);
      }
    });
  }

  /**
   * Closes the connection: a CLOSE request (RPyC never answers it), then the socket. Pending
   * calls reject with `ConnectionClosedError`. Idempotent.
   *
   * @example
   * await conn.close();
   */
  async close(): Promise<void> {
    if (!this.#isClosed && this.#dialect !== undefined) {
      try {
        this.#send({
          type: MsgType.REQUEST,
          seq: this.#seq++,
          body: [Handler.CLOSE, [Label.VALUE, []]],
        });
      } catch {
        // the socket is already failing: cleanup below
      }
    }
    const socketClosed = new Promise<void>((resolve) => {
      if (this.#socket.destroyed) resolve();
      else this.#socket.once("close", () => resolve());
    });
    this.#cleanup(undefined);
    this.#socket.end();
    await waitAtMost(socketClosed, this.config.closeTimeout);
    this.#socket.destroy();
    await this.closed;
  }

  /** Gives back every count held on `state` (one DEL), once. */
  releaseState(state: RefState): void {
    if (state.released) return;
    state.released = true;
    if (this.#imports.get(keyOf(state.idPack)) === state) this.#imports.delete(keyOf(state.idPack));
    const proxy = this.#proxies.get(state)?.deref();
    this.#proxies.delete(state);
    if (proxy !== undefined) this.#collected.unregister(proxy);
    if (this.#isClosed) return;
    // Fire and forget, as RPyC's own `__del__` (the peer still replies with None).
    this.request(Handler.DEL, [new IdPackRef(state.idPack), state.refcount], {}).catch(() => {});
  }

  #send(msg: PythonMessage): void {
    const payload = encodeMessage(this.#dialect!, msg, this.config.limits);
    if (payload.length > this.config.limits.maxFrameBytes) {
      throw new BrineError(
        RPYC_ERR_BRINE_UNSUPPORTED,
        `a message of ${payload.length} bytes is over maxFrameBytes (${this.config.limits.maxFrameBytes})`,
      );
    }
    this.#socket.write(encodeFrame(payload));
  }

  #settle(seq: number): Pending | undefined {
    const entry = this.#pending.get(seq);
    if (entry === undefined) return undefined;
    this.#pending.delete(seq);
    clearTimeout(entry.timer);
    return entry;
  }

  #onData(chunk: Buffer): void {
    if (this.#isClosed) return;
    try {
      for (const payload of this.#reader.push(chunk)) {
        if (this.#firstFrame) {
          this.#firstFrame = false;
          this.#dialect ??= detectDialect(payload);
          if (this.#dialect === undefined) {
            throw new BrineError(
              RPYC_ERR_BRINE_MALFORMED,
              `the first frame starts with 0x${(payload[0] ?? 0).toString(16)}: neither RPyC 5.x nor 6.x`,
            );
          }
        }
        this.#onMessage(decodeMessage(this.#dialect!, payload, this.config.limits));
        if (this.#isClosed) return;
      }
    } catch (err) {
      this.#cleanup(err);
      this.#socket.destroy();
    }
  }

  #onMessage(msg: PythonMessage): void {
    if (msg.type === MsgType.REQUEST) {
      void this.#serve(msg.seq, msg.body);
      return;
    }
    const entry = this.#settle(msg.seq);
    // Unbox even for a call that timed out: it may carry netrefs whose counts must go back.
    let value: unknown;
    let failed = false;
    try {
      if (msg.type === MsgType.REPLY) value = this.#unbox(msg.body, 0);
      else {
        value = loadPythonException(msg.body);
        failed = true;
      }
    } catch (err) {
      value = err;
      failed = true;
    }
    if (entry === undefined) {
      if (!failed && netrefMeta(value) !== undefined) this.#dropHolder(value);
      return;
    }
    if (failed) entry.reject(value);
    else entry.resolve(value);
  }

  #dropHolder(value: unknown): void {
    const meta = netrefMeta(value)!;
    meta.state.holders--;
    if (meta.state.holders <= 0) this.releaseState(meta.state);
  }

  async #serve(seq: number, body: unknown): Promise<void> {
    const dialect = this.#dialect!;
    let reply: PythonMessage;
    this.#serving++;
    try {
      if (this.#serving > this.config.maxIncoming) {
        throw new RangeError(
          `the Python peer has ${this.config.maxIncoming} requests running on this side (maxIncoming)`,
        );
      }
      if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== "number") {
        throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "a REQUEST body is not (handler, args)");
      }
      const handler = body[0];
      const args = handler === Handler.INSPECT ? this.#unboxRaw(body[1]) : this.#unbox(body[1], 0);
      if (!Array.isArray(args)) throw new TypeError("a request's args are not a tuple");
      const result = await serveHandler(this.#ctx, handler, args);
      if (handler === Handler.CLOSE) return;
      reply = { type: MsgType.REPLY, seq, body: this.#box(result, 0) };
    } catch (err) {
      reply = {
        type: MsgType.EXCEPTION,
        seq,
        body: dumpJsException(err, dialect, this.config.includeStack),
      };
    } finally {
      this.#serving--;
    }
    if (this.#isClosed) return;
    try {
      this.#send(reply);
    } catch (err) {
      this.#send({ type: MsgType.EXCEPTION, seq, body: dumpJsException(err, dialect, false) });
    }
  }

  /** INSPECT's id_pack arrives as a plain value: no lookup while unboxing. */
  #unboxRaw(boxed: unknown): unknown {
    if (Array.isArray(boxed) && boxed[0] === Label.VALUE) return boxed[1];
    return this.#unbox(boxed, 0);
  }

  #box(value: unknown, depth: number): unknown {
    if (depth > this.config.limits.maxDepth) {
      throw new BrineError(RPYC_ERR_BRINE_UNSUPPORTED, "value nested too deep to box (or a cycle)");
    }
    if (value instanceof IdPackRef) return [Label.LOCAL_REF, value.idPack];
    const meta = netrefMeta(value);
    if (meta !== undefined) {
      if (meta.state.host !== this) {
        throw new BrineError(
          RPYC_ERR_BRINE_UNSUPPORTED,
          "a netref of another Python connection cannot be sent here (obtain its value first)",
        );
      }
      if (meta.state.released) throw new ConnectionClosedError("this netref was released");
      return [Label.LOCAL_REF, meta.state.idPack];
    }
    if (isBrineable(value)) return [Label.VALUE, value];
    if (Array.isArray(value)) return [Label.TUPLE, value.map((v) => this.#box(v, depth + 1))];
    if (typeof value === "function" || (typeof value === "object" && value !== null)) {
      if (typeof (value as { then?: unknown }).then === "function") {
        throw new BrineError(
          RPYC_ERR_BRINE_UNSUPPORTED,
          "a promise (or pending netref value) cannot be sent: await it first",
        );
      }
      return [Label.REMOTE_REF, this.#exports.add(value, namePackOf(value))];
    }
    throw new BrineError(RPYC_ERR_BRINE_UNSUPPORTED, `a ${typeof value} cannot be sent to Python`);
  }

  #unbox(boxed: unknown, depth: number): unknown {
    if (!Array.isArray(boxed) || boxed.length !== 2 || depth > this.config.limits.maxDepth) {
      throw new BrineError(RPYC_ERR_BRINE_MALFORMED, "a boxed value is not (label, value)");
    }
    const [label, value] = boxed as [unknown, unknown];
    switch (label) {
      case Label.VALUE:
        return value;
      case Label.TUPLE:
        if (!Array.isArray(value)) break;
        return Object.freeze(value.map((v) => this.#unbox(v, depth + 1)));
      case Label.LOCAL_REF:
        if (!isIdPack(value)) break;
        return this.#exports.get(value);
      case Label.REMOTE_REF:
        if (!isIdPack(value)) break;
        return this.#netrefFor(value);
    }
    throw new BrineError(RPYC_ERR_BRINE_MALFORMED, `a boxed value has label ${String(label)}`);
  }

  /** The netref for a received id_pack: the cached one (count + 1) or a new one. */
  #netrefFor(idPack: IdPack): PyNetref {
    const key = keyOf(idPack);
    const known = this.#imports.get(key);
    if (known !== undefined) {
      const proxy = this.#proxies.get(known)?.deref();
      if (proxy !== undefined) {
        known.refcount++;
        known.holders++;
        return proxy;
      }
      // Collected but not yet finalized: give its counts back now, start afresh.
      this.releaseState(known);
    }
    const state: RefState = { host: this, idPack, refcount: 1, holders: 1, released: false };
    const proxy = createNetref(state);
    this.#imports.set(key, state);
    this.#proxies.set(state, new WeakRef(proxy));
    this.#collected.register(proxy, state, proxy);
    return proxy;
  }

  #cleanup(reason: unknown): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const error =
      reason === undefined
        ? new ConnectionClosedError()
        : new ConnectionClosedError(
            `the connection failed: ${String((reason as Error).message ?? reason)}`,
            {
              cause: reason,
            },
          );
    for (const seq of [...this.#pending.keys()]) this.#settle(seq)?.reject(error);
    for (const state of this.#imports.values()) state.released = true;
    for (const [state, ref] of this.#proxies) {
      const proxy = ref.deref();
      if (proxy !== undefined) this.#collected.unregister(proxy);
      state.released = true;
    }
    this.#imports.clear();
    this.#proxies.clear();
    this.#exports.clear();
    if (!this.#socket.destroyed) this.#socket.end();
    this.#markClosed();
  }
}

/** An id_pack to send as "your object" (DEL of a state whose proxy may be gone). */
class IdPackRef {
  constructor(readonly idPack: IdPack) {}
}

function keyOf(idPack: IdPack): string {
  return `${idPack[0]}\u0000${String(idPack[1])}\u0000${String(idPack[2])}`;
}
