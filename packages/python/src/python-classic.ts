/**
 * Python's classic mode from Node: `connectPythonClassic` reaches a Python `rpyc_classic`
 * server (RPyC's `SlaveService`) and drives its interpreter, as RPyC's own `rpyc.classic`
 * client does: `modules.os.getcwd()`, `eval`, `execute`, `namespace`, `builtins`.
 *
 * The surface follows @rpyc/classic where it fits. What does not fit is left out on purpose:
 * `teleport` ships CPython bytecode, and `deliver` and RPyC's `obtain` are pickle. Here
 * `obtain` copies what brine can carry (tuples, lists, sets, dicts, brine values).
 *
 * Unlike RPyC's classic client (a `ClassicService`, which hands the server this interpreter
 * too), this client exposes nothing: the server can only call the functions you pass it.
 */
import { connectPython, connectPythonUnix, type ConnectPythonOptions } from "./connect-python.ts";
import { obtain } from "./helpers.ts";
import type { PythonConnection, PythonConnectionStats } from "./python-connection.ts";
import type { PyPending } from "./python-netref.ts";

/** RPyC's classic port (`rpyc.utils.classic.DEFAULT_SERVER_PORT`). */
export const DEFAULT_PYTHON_CLASSIC_PORT = 18812;

/** Options of `connectPythonClassic`: `connectPython`'s, minus the service (it is always void). */
export type ConnectPythonClassicOptions = Omit<ConnectPythonOptions, "service">;

/** The server's modules by name, each a `PyPending`: `modules.os`, `modules["os.path"]`. */
export type PythonModules = Readonly<Record<string, any>>;

/**
 * A connection to a Python classic server. Made by `connectPythonClassic` or
 * `pythonClassicOver`.
 *
 * @example
 * const py = await connectPythonClassic("127.0.0.1", 18812, { dialect: "6" });
 * console.log(await py.modules.os.getcwd());
 * await py.close();
 */
export class PythonClassicConnection {
  /** The underlying connection (its `root` is the server's `SlaveService`). */
  readonly conn: PythonConnection;
  /**
   * The server's modules, imported on first use there (`importlib.import_module`):
   * `await modules.os.getcwd()` is one GETROOT-cached CALLATTR chain, and the module netref
   * made in the middle of it is released by the chain.
   */
  readonly modules: PythonModules;

  constructor(conn: PythonConnection) {
    this.conn = conn;
    this.modules = new Proxy(Object.create(null) as PythonModules, {
      get: (_target, name) =>
        typeof name === "string" ? this.conn.root.getmodule(name) : undefined,
      set: () => {
        throw new TypeError("modules is read-only (set attributes with setAttr on a module)");
      },
    });
  }

  /** Python's `builtins` module on the server (`builtins.open`, `builtins.len`, …). */
  get builtins(): PyPending {
    return this.modules["builtins"] as PyPending;
  }

  /**
   * The dict `eval` and `execute` run in, as a netref: `item(ns, "x")`, `setItem(ns, "x", 1)`.
   * Awaited, it is yours until `release(ns)`.
   */
  get namespace(): PyPending {
    return this.conn.root.namespace;
  }

  /**
   * Evaluates a Python expression in the server's namespace. Brine values come back by value,
   * anything else (lists, dicts, objects) as a netref that is yours until `release`.
   *
   * @example
   * await py.eval("6 * 7"); // 42
   */
  eval(source: string): Promise<any> {
    if (typeof source !== "string") return Promise.reject(new TypeError("eval needs a string"));
    return Promise.resolve(this.conn.root.eval(source));
  }

  /**
   * Runs Python statements in the server's namespace (`exec`).
   *
   * @example
   * await py.execute("import math\nr = math.sqrt(2)");
   */
  async execute(source: string): Promise<void> {
    if (typeof source !== "string") throw new TypeError("execute needs a string");
    await this.conn.root.execute(source);
  }

  /** Copies a Python value here by value, as far as brine carries it (see `obtain`). */
  obtain<T = unknown>(ref: unknown): Promise<T> {
    return obtain(ref) as Promise<T>;
  }

  /** Resolves once the connection is closed. */
  get closed(): Promise<void> {
    return this.conn.closed;
  }

  /** The underlying connection's table sizes (leak checks). */
  stats(): PythonConnectionStats {
    return this.conn.stats();
  }

  /** Closes the connection. Idempotent. */
  close(): Promise<void> {
    return this.conn.close();
  }
}

/**
 * Wraps an open connection to a classic server.
 *
 * @example
 * const py = pythonClassicOver(await connectPython(host, port, { dialect: "5" }));
 */
export function pythonClassicOver(conn: PythonConnection): PythonClassicConnection {
  return new PythonClassicConnection(conn);
}

function classicOptions(options: ConnectPythonClassicOptions): ConnectPythonOptions {
  if ((options as { service?: unknown }).service !== undefined) {
    throw new TypeError("a classic client exposes no service (pass functions as arguments)");
  }
  return options;
}

/**
 * Connects to a Python `rpyc_classic` server over TCP (TLS with `tls`, as RPyC's
 * `classic.ssl_connect`). The dialect is the server's RPyC major version.
 *
 * @example
 * const py = await connectPythonClassic("127.0.0.1", 18812, { dialect: "5" });
 * await py.execute("x = 40");
 * console.log(await py.eval("x + 2")); // 42
 * await py.close();
 */
export async function connectPythonClassic(
  host: string,
  port: number,
  options: ConnectPythonClassicOptions,
): Promise<PythonClassicConnection> {
  return pythonClassicOver(await connectPython(host, port, classicOptions(options)));
}

/**
 * Connects to a Python classic server on a Unix socket.
 *
 * @example
 * const py = await connectPythonClassicUnix("/run/classic.sock", { dialect: "6" });
 */
export async function connectPythonClassicUnix(
  path: string,
  options: ConnectPythonClassicOptions,
): Promise<PythonClassicConnection> {
  return pythonClassicOver(await connectPythonUnix(path, classicOptions(options)));
}
