/**
 * `Connection`: one end of an rpyc-ts connection over a `Transport`. It moves messages — the
 * handshake, requests with their replies, releases, cancels, pings, close — and delegates
 * everything about objects to netref's `RefSession` (it is the session's `NetrefHost`).
 *
 * Ordering contract: requests made in one synchronous stretch leave together, in order, a
 * microtask or two later (outgoing-requests.ts), then that tick's cancels, then its batched
 * Releases (split to fit the peer's announced limits). Replies leave as soon as their handler settles. Incoming requests run as they
 * arrive (a waiting call never blocks the peer's callbacks: reentrancy to any depth).
 * Encoding and the peer's frame limit: message-sender.ts. The public option and stats types:
 * connection-types.ts.
 *
 * Close contract: `close()` is idempotent; it sends Close, rejects every pending call with
 * `ConnectionClosedError`, aborts running handlers, clears both tables and every timer, runs
 * `onDisconnect`, and emits "close". Bad input from the peer gets a coded Error reply when the
 * request can be identified, otherwise a coded Close; it never throws out of the transport.
 */
import {
  type CallOptions,
  type NetrefHost,
  type OutgoingCall,
  RefSession,
  type Remote,
  lookupErrorClass,
  toWireError,
} from "@rpyc/netref";
import {
  type HelloMessage,
  type Limits,
  type Message,
  MessageKind,
  type Op,
  ProtocolError,
  WireError,
  type WireRef,
  checkHello,
  createHello,
  decodeMessage,
  resolveLimits,
} from "@rpyc/protocol";
import { type ConnectionConfig, resolveConfig } from "./config.ts";
import type { ConnectOptions, ConnectionEvents, ConnectionStats } from "./connection-types.ts";
import { Emitter } from "./emitter.ts";
import { coreErrorClass } from "./error-classes.ts";
import {
  ConnectionClosedError,
  DisconnectedError,
  FrameTooLargeError,
  HandshakeError,
  SessionLostError,
  TransportError,
} from "./errors.ts";
import {
  type ResolvedReconnect,
  backoffDelay,
  resolveReconnect,
} from "./reconnect/reconnect-options.ts";
import { MessageSender } from "./message-sender.ts";
import { OutgoingRequests } from "./outgoing-requests.ts";
import { IncomingRequests } from "./incoming-requests.ts";
import {
  type Service,
  VoidService,
  bindServiceConnection,
  serviceAliasesOf,
  serviceNameOf,
} from "./service.ts";
import type { Transport } from "./transport.ts";
import { LIBRARY_VERSION } from "./version.ts";

/**
 * "detached": the transport failed and the connection is redialing (`reconnect`); a redial's
 * handshake is "handshake" again, with `#redial` set.
 */
type State = "handshake" | "open" | "detached" | "closed";

/** Opens a new transport to the same peer (a reconnecting client's redial). */
export type Dialer = () => Promise<Transport>;

/** A reconnecting connection's redials since it last was open. */
interface Redial {
  attempts: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One end of a connection: `root` (the peer's service), `close()`, `ping()`, `stats()`, events.
 * Made by `connectTransport`, `connectStream` or `connectPair`.
 *
 * @example
 * const conn = await connectStream(socket);
 * conn.on("close", (error) => console.log("closed", error));
 * await conn.root.add(1, 2);
 * await conn.close();
 */
export class Connection<TRoot = any> extends Emitter<ConnectionEvents> implements NetrefHost {
  /** The peer's service root as a netref (export id 0): usable at once, no round trip. */
  readonly root: Remote<TRoot>;
  /** This side's service instance for this connection. */
  readonly service: object;
  readonly config: ConnectionConfig;
  /** The peer's credentials from the server's authenticator (`options.credentials`). */
  readonly credentials: unknown;
  /** The peer's service name ("ECHO") and aliases, from its Hello. */
  peerService = "";
  peerAliases: readonly string[] = [];
  /** The peer's library version, from its Hello (diagnostics). */
  peerVersion = "";
  /** Why the connection closed, when it failed. */
  closeError: Error | undefined;

  #transport: Transport;
  readonly #dial: Dialer | undefined;
  readonly #reconnect: ResolvedReconnect | undefined;
  #redial: Redial | undefined;
  /** A redial in progress (its transport not there yet): what `close()` also waits for. */
  #dialing: Promise<void> | undefined;
  /** `whenAttached()` callers waiting for the connection to be open again. */
  #attachWaiters: (() => void)[] = [];
  readonly #session: RefSession;
  readonly #limits: Limits;
  readonly #sender: MessageSender;
  #state: State = "handshake";
  readonly #outgoing: OutgoingRequests;
  readonly #incoming: IncomingRequests;
  #handshake:
    | {
        resolve: () => void;
        reject: (e: Error) => void;
        timer: ReturnType<typeof setTimeout> | undefined;
      }
    | undefined;
  #connected = false;
  #started = false;
  /** `whenIdle()` callers waiting for `serving` to reach 0. */
  #idleWaiters: (() => void)[] = [];
  /** Resolves once the current transport reported closed (its `onClose`): what `close()` waits for. */
  #transportClosed: Promise<void> = Promise.resolve();

  /**
   * Use `connectTransport` (or `connectStream`, `connectPair`) instead. `dial` opens a new
   * transport to the same peer: with `options.reconnect`, the connection redials with it.
   */
  constructor(transport: Transport, options: ConnectOptions = {}, dial?: Dialer) {
    super();
    this.#transport = transport;
    this.#dial = dial;
    this.#reconnect = dial === undefined ? undefined : resolveReconnect(options.reconnect);
    this.config = resolveConfig(options.config);
    this.credentials = options.credentials;
    this.#limits = resolveLimits(this.config.limits);
    this.#sender = new MessageSender(transport, this.#limits, () => this.closeError);
    const spec = options.service ?? VoidService;
    this.service = typeof spec === "function" ? new (spec as new () => object)() : spec;
    if (typeof spec === "function") bindServiceConnection(this.service, this);
    this.#session = new RefSession(this, {
      root: this.service,
      access: this.config,
      includeRemoteStack: this.config.includeRemoteStack,
      maxDepth: this.#limits.maxDepth,
      allowCycles: false,
      errorClass: (name) => coreErrorClass(name) ?? lookupErrorClass(name),
      peerName: () => this.peerService || "peer",
    });
    this.root = this.#session.root as Remote<TRoot>;
    this.#outgoing = new OutgoingRequests({
      session: this.#session,
      config: this.config,
      send: (message) => this.#sendMessage(message),
      flushTransport: () => this.#transport.flush?.(),
      sendLimits: () => this.#sender.sendLimits,
      onSendError: (error) => {
        // Closing drops what is queued by design; anything else is reported.
        if (!this.closed && !this.#transport.closed) this.emit("error", error);
      },
      closedError: () =>
        this.closed ? new ConnectionClosedError(undefined, { cause: this.closeError }) : undefined,
      detachedQueueLimit: () => (this.#isDown() ? this.#reconnect!.maxQueuedCalls : undefined),
    });
    this.#incoming = new IncomingRequests({
      connection: this,
      session: this.#session,
      config: this.config,
      reply: (seq, value) => this.#reply(seq, value),
      flushTransport: () => this.#transport.flush?.(),
      onIdle: () => {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const resolve of waiters) resolve();
      },
      sendHeld: (seq) => {
        if (!this.closed) this.#sendMessage({ kind: MessageKind.Held, seq });
      },
      sendError: (seq, error) => this.#sendError(seq, error),
    });
  }

  /** True once closed (locally, by the peer, or by a failure). */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** True while the connection is up (false while a reconnecting connection redials, and once closed). */
  get attached(): boolean {
    return this.#state === "open";
  }

  /**
   * Resolves when the connection is up: at once if it is, else at its next `reconnect`, or
   * when it closes (check `closed`).
   *
   * @example
   * await conn.whenAttached();
   */
  whenAttached(): Promise<void> {
    if (this.#state === "open" || this.#state === "closed") return Promise.resolve();
    return new Promise((resolve) => this.#attachWaiters.push(resolve));
  }

  /**
   * Requests of the peer this side is running now (replies not sent yet). Servers read it to
   * close gracefully: let in-flight calls finish, then close.
   */
  get serving(): number {
    return this.#incoming.size;
  }

  /**
   * Resolves when no request of the peer is running on this side (`serving` is 0, at once if
   * it is already), or when the connection closes. Servers use it to close gracefully.
   *
   * @example
   * await conn.whenIdle(); // the peer's calls are done
   */
  whenIdle(): Promise<void> {
    if (this.#incoming.size === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Sizes of both tables and the number of calls in flight. */
  stats(): ConnectionStats {
    const { exported, imported } = this.#session.stats();
    return {
      exported,
      imported,
      pending: this.#outgoing.size,
      held: this.#incoming.heldForPeer,
      heldByPeer: this.#outgoing.heldByPeer,
    };
  }

  /** Starts the transport and the handshake; resolves once both Hellos crossed and onConnect ran. */
  async open(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => this.#startHandshake(resolve, reject));
    this.#startTransport(this.#transport);
    this.#started = true;
    await ready;
    const onConnect = (this.service as Partial<Service>).onConnect;
    if (typeof onConnect === "function") {
      try {
        await onConnect.call(this.service, this);
      } catch (err) {
        this.#shutdown(err instanceof Error ? err : new Error(String(err)), true);
        throw err;
      }
    }
    this.#connected = true;
    if (this.closed)
      throw new ConnectionClosedError("the connection closed during onConnect", {
        cause: this.closeError,
      });
  }

  /**
   * Closes the connection (idempotent): sends Close, rejects pending calls with
   * ConnectionClosedError, runs onDisconnect, clears both tables and every timer, all at once.
   * The promise resolves when the transport is closed too (a socket released: at most the
   * transport's close timeout, 3 s by default for streams, when the peer does not answer).
   *
   * @example
   * await conn.close();
   */
  close(): Promise<void> {
    this.#shutdown(undefined, true);
    if (!this.#started) return Promise.resolve();
    const dialing = this.#dialing;
    return dialing === undefined
      ? this.#transportClosed
      : Promise.all([this.#transportClosed, dialing]).then(() => undefined);
  }

  /**
   * Round trip to the peer; resolves with the elapsed milliseconds.
   *
   * @example
   * const ms = await conn.ping();
   */
  async ping(payload?: Uint8Array): Promise<number> {
    if (this.#isDown())
      throw new DisconnectedError(
        "the connection is down (reconnecting): no ping until it is back",
      );
    const started = Date.now();
    await this.#outgoing.ping(payload);
    return Date.now() - started;
  }

  /** True while a reconnecting connection is down: redialing, or in a redial's handshake. */
  #isDown(): boolean {
    return (
      this.#state === "detached" || (this.#state === "handshake" && this.#redial !== undefined)
    );
  }

  /** Arms the handshake timer; `resolve` runs when the peer's Hello arrived. */
  #startHandshake(resolve: () => void, reject: (error: Error) => void): void {
    const timeout = handshakeTimeoutOf(this.config);
    const timer =
      timeout > 0 ? setTimeout(() => this.#fatal(this.#noHello(timeout)), timeout) : undefined;
    this.#handshake = { resolve, reject, timer };
  }

  /**
   * Makes `transport` the connection's, starts it and sends this side's Hello. Events of a
   * transport that is no longer the current one (an old, failed one) are ignored.
   */
  #startTransport(transport: Transport): void {
    this.#transport = transport;
    this.#sender.setTransport(transport);
    let closed!: () => void;
    this.#transportClosed = new Promise((resolve) => (closed = resolve));
    transport.start({
      onFrame: (frame) => {
        if (transport === this.#transport) this.#onFrame(frame);
      },
      onClose: (error) => {
        if (transport === this.#transport) this.#onTransportClose(error);
        closed();
      },
      onInputError: (error) => {
        if (transport === this.#transport) this.#fatal(error);
      },
    });
    const serviceClass = this.service.constructor;
    this.#sendMessage(
      createHello({
        version: LIBRARY_VERSION,
        service: serviceNameOf(serviceClass),
        aliases: serviceAliasesOf(serviceClass),
        limits: this.#limits, // every limit: the peer fits what it sends to them
      }),
    );
  }

  // ---- reconnect ------------------------------------------------------------------------

  /**
   * The transport is gone without a Close from the peer nor a local `close()`: a transport
   * failure. A reconnecting connection that was open once redials; any other closes.
   */
  #onTransportClose(error: Error | undefined): void {
    if (this.#state === "closed") return;
    if (this.#reconnect === undefined || !this.#connected) return this.#shutdown(error, false);
    const cause = error ?? new TransportError("RPYC_ERR_TRANSPORT_CLOSED", "the transport closed");
    const wasOpen = this.#state === "open";
    this.#state = "detached";
    this.#clearHandshake();
    if (wasOpen) {
      this.emit("disconnect", cause);
      this.#loseSession(cause);
    }
    this.#scheduleRedial(cause);
  }

  /**
   * The peer forgot this session (no resume): calls in flight and every netref of it fail with
   * `SessionLostError`, running handlers abort, both tables empty; `root` stays usable.
   */
  #loseSession(cause: Error): void {
    const lost = new SessionLostError(
      `the connection dropped (${cause.message}) and its session was lost; re-derive objects from conn.root`,
      { cause },
    );
    this.#outgoing.rejectAll(lost);
    this.#incoming.abortAll(lost);
    this.#session.reset(lost);
  }

  #scheduleRedial(cause: Error): void {
    const options = this.#reconnect!;
    const redial = (this.#redial ??= { attempts: 0, timer: undefined });
    if (redial.attempts >= options.retries) {
      this.emit("reconnectFailed", cause);
      return this.#shutdown(cause, false);
    }
    redial.attempts++;
    redial.timer = setTimeout(
      () => {
        redial.timer = undefined;
        this.#dialing = this.#redialOnce();
      },
      backoffDelay(options, redial.attempts),
    );
  }

  async #redialOnce(): Promise<void> {
    let transport: Transport;
    try {
      transport = await this.#dial!();
    } catch (err) {
      this.#dialing = undefined;
      if (this.#state !== "closed") this.#scheduleRedial(asError(err));
      return;
    }
    this.#dialing = undefined;
    if (this.#state === "closed") return closeUnused(transport);
    this.#state = "handshake";
    this.#startHandshake(
      () => this.#reattached(),
      () => undefined, // a failed redial handshake closes the transport: the next redial follows
    );
    this.#startTransport(transport);
  }

  /** A redial's handshake completed: the connection is open again. */
  #reattached(): void {
    const attempts = this.#redial?.attempts ?? 0;
    this.#redial = undefined;
    this.emit("reconnect", { resumed: false, attempts });
    this.#outgoing.resumeSending();
    this.#wakeAttachWaiters();
  }

  #wakeAttachWaiters(): void {
    const waiters = this.#attachWaiters;
    this.#attachWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #clearHandshake(): void {
    const handshake = this.#handshake;
    this.#handshake = undefined;
    if (handshake?.timer !== undefined) clearTimeout(handshake.timer);
  }

  // ---- NetrefHost -------------------------------------------------------------------------

  request(
    op: Op,
    target: WireRef,
    name: string | number | undefined,
    args: readonly unknown[],
    options: CallOptions | undefined,
    keepAlive: object,
  ): OutgoingCall {
    return this.#outgoing.request(op, target, name, args, options, keepAlive);
  }

  scheduleRelease(id: number, count: number): void {
    this.#outgoing.scheduleRelease(id, count);
  }

  expectPipelined(): void {
    this.#outgoing.expectPipelined();
  }

  /** Encodes and sends; returns the error instead of throwing when the message cannot go. */
  #sendMessage(message: Message): Error | undefined {
    return this.#sender.send(message);
  }

  // ---- incoming ---------------------------------------------------------------------------

  #onFrame(frame: Uint8Array): void {
    if (this.closed) return;
    if (frame.byteLength > this.#limits.maxFrameBytes) {
      // Message transports have no length prefix to check: the connection checks each frame.
      this.#fatal(new FrameTooLargeError(frame.byteLength, this.#limits.maxFrameBytes));
      return;
    }
    let message: Message;
    try {
      message = decodeMessage(frame, this.#limits);
    } catch (err) {
      this.#fatal(err);
      return;
    }
    try {
      this.#dispatch(message);
    } catch (err) {
      // Nothing in dispatch should throw; if it does, the connection is in an unknown state.
      this.#fatal(err);
    }
  }

  #dispatch(message: Message): void {
    if (this.#state === "handshake") {
      if (message.kind === MessageKind.Hello) return this.#onHello(message);
      if (message.kind === MessageKind.Close) return this.#onClose(message.code, message.reason);
      throw new ProtocolError(
        "RPYC_ERR_MALFORMED",
        `expected Hello as the peer's first message, got message kind ${message.kind}`,
      );
    }
    switch (message.kind) {
      case MessageKind.Request:
        return this.#incoming.handle(message);
      case MessageKind.Reply:
        return this.#outgoing.onReply(message.seq, message.value);
      case MessageKind.Error: {
        const error = this.#unboxError(message.error);
        if (message.seq === -1) return this.emit("error", error);
        return this.#outgoing.onError(message.seq, error);
      }
      case MessageKind.Release:
        return this.#onRelease(message.ids, message.counts);
      case MessageKind.Cancel:
        return this.#incoming.cancel(message.seq);
      case MessageKind.Ping:
        this.#sendMessage({
          kind: MessageKind.Pong,
          seq: message.seq,
          ...(message.payload === undefined ? {} : { payload: message.payload }),
        });
        return;
      case MessageKind.Pong:
        return this.#outgoing.onPong(message.seq);
      case MessageKind.Held:
        return this.#outgoing.onHeld(message.seq);
      case MessageKind.Forget:
        return this.#incoming.forget(message.seqs);
      case MessageKind.Close:
        return this.#onClose(message.code, message.reason);
      case MessageKind.Hello:
        throw new ProtocolError("RPYC_ERR_MALFORMED", "a second Hello arrived after the handshake");
    }
  }

  /** The handshake timed out: say what arrived instead of a Hello, when something did. */
  #noHello(timeout: number): HandshakeError {
    const arrived = this.#transport.describeReceived?.();
    return new HandshakeError(
      `no Hello from the peer within ${timeout} ms (config.handshakeTimeout)` +
        (arrived === undefined ? "" : `; ${arrived}`),
    );
  }

  #onHello(hello: HelloMessage): void {
    checkHello(hello); // throws RPYC_ERR_VERSION_MISMATCH → #fatal sends Close
    this.peerService = hello.service;
    this.peerAliases = hello.aliases;
    this.peerVersion = hello.version;
    this.#sender.setPeerLimits(hello.limits);
    this.#state = "open";
    const handshake = this.#handshake;
    this.#handshake = undefined;
    if (handshake !== undefined) {
      if (handshake.timer !== undefined) clearTimeout(handshake.timer);
      handshake.resolve();
    }
  }

  #onClose(code: string | undefined, reason: string | undefined): void {
    const error =
      code === undefined
        ? undefined
        : new ProtocolError(code, `the peer closed the connection: ${reason ?? code}`);
    this.#shutdown(error, false);
  }

  /** At most one error answer per Release, however many of its ids are bad. */
  #onRelease(ids: readonly number[], counts: readonly number[]): void {
    const error = this.#session.exports.releaseAll(ids, counts);
    if (error !== undefined) this.#sendError(-1, error);
  }

  #reply(seq: number, value: unknown): void {
    if (this.closed) return;
    let boxed: unknown;
    try {
      boxed = this.#session.box(value);
    } catch (err) {
      return this.#sendError(seq, err);
    }
    const error = this.#sendMessage({ kind: MessageKind.Reply, seq, value: boxed });
    if (error !== undefined) {
      // The boxed value may have exported objects the peer will never hear about.
      this.#session.unexport(boxed);
      this.#sendError(seq, error);
    }
  }

  #sendError(seq: number, err: unknown): void {
    if (this.closed) return;
    let wire: WireError;
    try {
      wire = toWireError(err, this.config.includeRemoteStack, (v) => this.#session.box(v));
    } catch {
      wire = new WireError("Error", describe(err));
    }
    if (this.#sendMessage({ kind: MessageKind.Error, seq, error: wire }) !== undefined) {
      const plain = new WireError(wire.name, wire.message, wire.code);
      this.#sendMessage({ kind: MessageKind.Error, seq, error: plain });
    }
  }

  #unboxError(wire: WireError): Error {
    try {
      const error = this.#session.unbox(wire);
      return error instanceof Error ? error : new Error(describe(error));
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  // ---- failure and close ------------------------------------------------------------------

  /** Bad input that cannot be answered per request: a coded Close, then close. */
  #fatal(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    const raw = (error as { code?: unknown }).code;
    const code = typeof raw === "string" ? raw : "RPYC_ERR_MALFORMED";
    if (!this.closed && !this.#transport.closed) {
      this.#sendMessage({ kind: MessageKind.Close, code, reason: error.message });
    }
    if (this.#redial !== undefined && this.#state === "handshake") {
      // A redial's handshake failed (no Hello in time, a bad one): that transport goes, and
      // its close schedules the next redial.
      this.#clearHandshake();
      this.#transport.close();
      return;
    }
    this.#shutdown(error, false);
  }

  #shutdown(error: Error | undefined, sendClose: boolean): void {
    if (this.#state === "closed") return;
    if (sendClose && !this.#transport.closed) this.#sendMessage({ kind: MessageKind.Close });
    this.#state = "closed";
    this.closeError = error;
    this.#transport.close();
    if (this.#redial?.timer !== undefined) clearTimeout(this.#redial.timer);
    this.#redial = undefined;
    const closedError = new ConnectionClosedError(
      error === undefined ? "the connection is closed" : `the connection closed: ${error.message}`,
      { cause: error },
    );
    const handshake = this.#handshake;
    this.#handshake = undefined;
    if (handshake !== undefined) {
      if (handshake.timer !== undefined) clearTimeout(handshake.timer);
      handshake.reject(error ?? closedError);
    }
    this.#outgoing.rejectAll(closedError);
    this.#incoming.abortAll(closedError);
    this.#session.close(closedError);
    if (this.#connected) {
      const onDisconnect = (this.service as Partial<Service>).onDisconnect;
      try {
        if (typeof onDisconnect === "function") onDisconnect.call(this.service, this);
      } catch (err) {
        this.emit("error", err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.#wakeAttachWaiters();
    this.emit("close", error);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A transport dialed after the connection closed: started only to be closed at once. */
function closeUnused(transport: Transport): Promise<void> {
  return new Promise((resolve) => {
    transport.start({ onFrame: () => undefined, onClose: () => resolve() });
    transport.close();
  });
}

function describe(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

/** The handshake's time limit: `handshakeTimeout`, never more than a nonzero `timeout`. */
function handshakeTimeoutOf(config: { timeout: number; handshakeTimeout: number }): number {
  const limit = Math.min(config.timeout || Infinity, config.handshakeTimeout || Infinity);
  return limit === Infinity ? 0 : limit;
}
