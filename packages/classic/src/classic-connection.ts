/**
 * `ClassicConnection`: the client's view of a classic server — `modules`, `eval`, `execute`,
 * `namespace`, `teleport`, `upload`/`download`, `deliver`, `obtain`, `redirectStdio` — over an
 * authenticated `Connection` (`conn`). The client exposes nothing to the server (its service is
 * `VoidService`); the only functions it sends are the ones you pass (and `redirectStdio`'s
 * writer), which the server can only call.
 */
import {
  obtain as obtainRemote,
  release,
  type Connection,
  type ConnectionStats,
  type Remote,
} from "@rpyc/core";
import type { ClassicSession } from "./classic-session.ts";
import { ClassicAuthenticationError, TeleportError } from "./errors.ts";
import { download, upload, type TransferOptions, type TransferResult } from "./file-transfer.ts";

/** Remote modules by name: `modules.os`, `modules["node:fs"]`, `modules["lodash"]`. */
export type RemoteModules = Record<string, any>;

/**
 * An active `redirectStdio()`: the server's output shows on this process until `restore()`.
 *
 * @example
 * await using _ = await classic.redirectStdio();
 */
export interface RedirectedStdio {
  restore(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A classic connection. Made by `connectClassic` (and its siblings) or `classicOver`.
 *
 * @example
 * const classic = await connectClassic("127.0.0.1", 18812, { token });
 * console.log(await classic.modules.os.hostname());
 * await classic.close();
 */
export class ClassicConnection {
  /** The underlying connection (stats, close, events). */
  readonly conn: Connection;
  /** The server's session (the raw remote API behind the helpers). */
  readonly session: Remote<ClassicSession>;
  /**
   * The server's modules: `modules.os.platform()`, `modules["node:fs"].readFileSync(…)`. Each
   * read is a remote promise, so `await modules.os.hostname()` costs one round trip.
   */
  readonly modules: RemoteModules;

  constructor(conn: Connection, session: Remote<ClassicSession>) {
    this.conn = conn;
    this.session = session;
    // util.inspect shows the proxy's target (see @rpyc/netref's netref-proxy.ts): describe it.
    const target = Object.create(null) as RemoteModules;
    target[Symbol.for("nodejs.util.inspect.custom") as unknown as string] = () =>
      `<modules of ${conn.peerService || "the server"}: modules.os, modules["node:fs"], …>`;
    this.modules = new Proxy(target, {
      // `then` is not a module: `await modules` (and a REPL awaiting its result) must not
      // import a package named "then" on the server.
      get: (_target, name) =>
        typeof name === "string" && name !== "then" ? session.getModule(name) : undefined,
    });
  }

  /** The namespace `eval`/`execute` run in (the vm context's global object), as a netref. */
  get namespace(): any {
    return this.session.getNamespace();
  }

  /** The server's own `globalThis`, as a netref. */
  get globalThis(): any {
    return this.session.getGlobalThis();
  }

  /**
   * Evaluates JavaScript in the server's namespace; resolves with its value (copied, or a
   * netref for objects that go by reference).
   */
  eval(source: string): Promise<any> {
    return Promise.resolve(this.session.eval(source));
  }

  /** Runs JavaScript statements in the server's namespace. */
  async execute(source: string): Promise<void> {
    await this.session.execute(source);
  }

  /**
   * Sends `fn`'s source to the server and resolves with the server's copy, by reference (call
   * it and it runs there). Refuses native and bound functions (no source to send) here, and a
   * closure whose free variables the server's namespace lacks there (the error names them).
   */
  async teleport<F extends (...args: any[]) => any>(
    fn: F,
  ): Promise<(...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>> {
    if (typeof fn !== "function") throw new TypeError("teleport() needs a function");
    const source = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      const kind = fn.name.startsWith("bound ") ? "a bound function" : "a native function";
      throw new TeleportError(
        "RPYC_ERR_TELEPORT_NATIVE",
        `cannot teleport ${fn.name || "(anonymous)"}: it is ${kind}, whose source is not available ` +
          "(teleport the original function, and bind it on the server)",
      );
    }
    return (await this.session.teleport(source)) as any;
  }

  /** Copies a local file or tree to the server (see `upload`). */
  upload(
    localPath: string,
    remotePath: string,
    options?: TransferOptions,
  ): Promise<TransferResult> {
    return upload(this.session, localPath, remotePath, options);
  }

  /** Copies a file or tree from the server (see `download`). */
  download(
    remotePath: string,
    localPath: string,
    options?: TransferOptions,
  ): Promise<TransferResult> {
    return download(this.session, remotePath, localPath, options);
  }

  /** Sends `value` (copied) to the server; resolves with a netref to the server's copy. */
  deliver(value: unknown): Promise<any> {
    return Promise.resolve(this.session.deliver(value));
  }

  /** Copies a remote object here by value (core's `obtain`). */
  obtain<T = unknown>(ref: unknown): Promise<T> {
    return obtainRemote<T>(ref);
  }

  /**
   * Shows the server's stdout and stderr on this process's (`write`, by default
   * `process.stdout`/`process.stderr`) until `restore()`.
   */
  async redirectStdio(
    write: (stream: "stdout" | "stderr", text: string) => void = (stream, text) => {
      (stream === "stdout" ? process.stdout : process.stderr).write(text);
    },
  ): Promise<RedirectedStdio> {
    const handle = await this.session.redirectStdio(write);
    let restored: Promise<void> | undefined;
    const restore = (): Promise<void> =>
      (restored ??= (async () => {
        try {
          if (!this.conn.closed) await handle.restore();
        } finally {
          release(handle);
        }
      })());
    return { restore, [Symbol.asyncDispose]: restore };
  }

  /** The connection's table sizes (core's `stats()`). */
  stats(): ConnectionStats {
    return this.conn.stats();
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.conn.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Authenticates on a connection to a classic server and wraps it. Closes `conn` and rejects
 * with `ClassicAuthenticationError` when the server refuses the token, or when the peer is not
 * a classic server.
 *
 * @example
 * const conn = await connect("127.0.0.1", 18812);
 * const classic = await classicOver(conn, token);
 */
export async function classicOver(
  conn: Connection,
  token: string | undefined,
): Promise<ClassicConnection> {
  if (conn.peerService !== "CLASSIC") {
    await conn.close();
    throw new ClassicAuthenticationError(
      `the server serves '${conn.peerService}', not a classic server (start one with rpyc-classic)`,
    );
  }
  try {
    const session = (await conn.root.authenticate(token)) as Remote<ClassicSession>;
    return new ClassicConnection(conn, session);
  } catch (error) {
    await conn.close();
    if ((error as { code?: unknown }).code === "RPYC_ERR_AUTHENTICATION") {
      throw new ClassicAuthenticationError((error as Error).message, { cause: error });
    }
    throw error;
  }
}
