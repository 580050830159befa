/**
 * `ClassicSession`: what an authenticated classic client drives. One per connection, made by
 * `ClassicService.authenticate`. It is remote code execution by design: `eval`, `execute`,
 * `teleport` and `getModule` run whatever the client sends with the server's privileges (see
 * docs/classic.md). Every eval, execute and teleport goes to the audit log first.
 */
import { isBuiltin, createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runInContext, type Context } from "node:vm";
import { byRef } from "@rpyc/core";
import { TeleportError } from "./errors.ts";
import { freeVariables } from "./free-variables.ts";
import { createNamespace, definesName } from "./namespace.ts";
import {
  listDirectory,
  makeDirectory,
  RemoteFileReader,
  RemoteFileWriter,
  setMetadata,
  statPath,
  type DirEntry,
  type FileInfo,
} from "./remote-files.ts";
import { redirectProcessStdio, type StdioSink } from "./stdio-redirect.ts";

/**
 * One line of the audit log: what a client ran.
 *
 * @example
 * const audit = (entry: AuditEntry) => console.error(entry.peer, entry.action, entry.detail);
 */
export interface AuditEntry {
  readonly action: "authenticate" | "refuse" | "eval" | "execute" | "teleport" | "getModule";
  /** Who asked: the peer's address, or "stdio", "unix socket"… */
  readonly peer: string;
  /** The source, the module name, or the reason of a refusal. */
  readonly detail: string;
}

/** Where audit entries go. */
export type AuditLog = (entry: AuditEntry) => void;

/** A handle of an active `redirectStdio`; `restore()` ends it. */
export class StdioRedirection {
  readonly #stop: () => void;
  constructor(stop: () => void) {
    this.#stop = stop;
  }
  restore(): void {
    this.#stop();
  }
}

export class ClassicSession {
  readonly #peer: string;
  readonly #audit: AuditLog;
  #context: Context | undefined;
  /** Open files and redirections, closed when the connection ends. */
  readonly #resources = new Set<{ abort?: () => Promise<void>; restore?: () => void }>();

  constructor(peer: string, audit: AuditLog) {
    this.#peer = peer;
    this.#audit = audit;
  }

  get #namespaceContext(): Context {
    this.#context ??= createNamespace();
    return this.#context;
  }

  // NOTE: methods, not accessors: a netref caches the remote promise of an attribute read, so
  // a pipelined `session.namespace.x` would keep the namespace held for the session's lifetime.

  /** The namespace's global object (by reference): `execute`'s variables live here. */
  getNamespace(): object {
    return byRef(this.#namespaceContext);
  }

  /** The server's own `globalThis` (by reference). */
  getGlobalThis(): object {
    return byRef(globalThis);
  }

  /**
   * The namespace of `import(specifier)`, by reference. A bare name that is a Node built-in
   * ("fs", "os") is `node:<name>`; other names resolve from the server's working directory.
   */
  async getModule(specifier: string): Promise<object> {
    if (typeof specifier !== "string" || specifier === "") {
      throw new TypeError("getModule() needs a module name");
    }
    this.#audit({ action: "getModule", peer: this.#peer, detail: specifier });
    return byRef(await import(resolveModule(specifier)));
  }

  /** Evaluates `source` in the namespace and returns its completion value. */
  eval(source: string): unknown {
    this.#log("eval", source);
    return runInContext(String(source), this.#namespaceContext, { filename: "classic-eval" });
  }

  /** Runs `source` (statements) in the namespace; returns nothing. */
  execute(source: string): void {
    this.#log("execute", source);
    runInContext(String(source), this.#namespaceContext, { filename: "classic-execute" });
  }

  /**
   * Defines the function (or class) whose source is `source` in the namespace and returns it by
   * reference. Refuses one whose free variables the namespace does not define, naming them.
   */
  teleport(source: string): Function {
    const text = String(source);
    this.#log("teleport", text);
    const context = this.#namespaceContext;
    const missing = freeVariables(text).filter((name) => !definesName(context, name));
    if (missing.length > 0) {
      const list = missing.map((n) => `'${n}'`).join(", ");
      throw new TeleportError(
        "RPYC_ERR_TELEPORT_FREE_VARIABLES",
        `cannot teleport a closure: free variable${missing.length > 1 ? "s" : ""} ${list} ` +
          "are not defined in the server's namespace (pass them as arguments, or define them there with execute())",
        missing,
      );
    }
    return runInContext(`(${text}\n)`, context, { filename: "classic-teleport" }) as Function;
  }

  /** Returns `value` (a copy the client sent) by reference: the client holds the server's copy. */
  deliver(value: unknown): unknown {
    return typeof value === "object" && value !== null ? byRef(value) : value;
  }

  /** Sends the server's stdout and stderr to `sink` until the handle's `restore()`. */
  redirectStdio(sink: StdioSink): StdioRedirection {
    if (typeof sink !== "function") throw new TypeError("redirectStdio() needs a function");
    const stop = redirectProcessStdio(sink);
    const resource = { restore: stop };
    this.#resources.add(resource);
    return new StdioRedirection(() => {
      this.#resources.delete(resource);
      stop();
    });
  }

  // ---- file transfer primitives (used by upload/download; see remote-files.ts) ----

  stat(path: string): Promise<FileInfo> {
    return statPath(String(path));
  }

  listDirectory(path: string): Promise<DirEntry[]> {
    return listDirectory(String(path));
  }

  makeDirectory(path: string): Promise<void> {
    return makeDirectory(String(path));
  }

  setMetadata(path: string, mode: number, mtimeMs: number): Promise<void> {
    return setMetadata(String(path), mode, mtimeMs);
  }

  /** A file to write in chunks; removed if the connection ends before `finish`. */
  async createFile(path: string): Promise<RemoteFileWriter> {
    const resource: { abort?: () => Promise<void> } = {};
    this.#resources.add(resource);
    const writer = await RemoteFileWriter.create(String(path), () =>
      this.#resources.delete(resource),
    ).catch((error: unknown) => {
      this.#resources.delete(resource);
      throw error;
    });
    resource.abort = () => writer.abort();
    return writer;
  }

  /** A file to read in chunks; closed when the connection ends. */
  async openFile(path: string): Promise<RemoteFileReader> {
    const resource: { abort?: () => Promise<void> } = {};
    this.#resources.add(resource);
    const reader = await RemoteFileReader.open(String(path), () =>
      this.#resources.delete(resource),
    ).catch((error: unknown) => {
      this.#resources.delete(resource);
      throw error;
    });
    resource.abort = () => reader.close();
    return reader;
  }

  /** Ends what the client left open (unfinished uploads removed, redirections restored). */
  dispose(): void {
    for (const resource of this.#resources) {
      resource.restore?.();
      void resource.abort?.().catch(() => {});
    }
    this.#resources.clear();
  }

  #log(action: "eval" | "execute" | "teleport", source: string): void {
    this.#audit({ action, peer: this.#peer, detail: source });
  }
}

/** `import()` target of a module name: built-ins first, then resolution from the cwd. */
function resolveModule(specifier: string): string {
  if (specifier.startsWith("node:")) return specifier;
  if (isBuiltin(`node:${specifier}`) && isBuiltin(specifier)) return `node:${specifier}`;
  if (/^(\.|\/|file:)/.test(specifier)) {
    return specifier.startsWith("file:")
      ? specifier
      : pathToFileURL(join(process.cwd(), specifier)).href;
  }
  try {
    const require = createRequire(join(process.cwd(), "[rpyc-classic]"));
    return pathToFileURL(require.resolve(specifier)).href;
  } catch {
    return specifier; // an ESM-only package: let import() resolve it (from this package)
  }
}
