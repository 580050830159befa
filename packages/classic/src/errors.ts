/**
 * Errors of classic mode, under core's `RpycError` with stable `RPYC_ERR_*` codes. They cross
 * the wire with their code (a server's `TeleportError` reaches the client's `catch` with
 * `err.code === "RPYC_ERR_TELEPORT_FREE_VARIABLES"`).
 */
import { RpycError } from "@rpyc/core";

/**
 * The server refused the token (or none was given): `RPYC_ERR_AUTHENTICATION`. The server closes
 * the connection after saying so.
 *
 * @example
 * try { await connectClassic("127.0.0.1", 18812, { token: "wrong" }); }
 * catch (err) { if (err instanceof ClassicAuthenticationError) console.error(err.message); }
 */
export class ClassicAuthenticationError extends RpycError {
  constructor(message: string, options?: ErrorOptions) {
    super("RPYC_ERR_AUTHENTICATION", message, options);
    this.name = "ClassicAuthenticationError";
  }
}

/**
 * A function that cannot be teleported: native or bound (`RPYC_ERR_TELEPORT_NATIVE`), not valid
 * source on its own (`RPYC_ERR_TELEPORT_SOURCE`), or a closure whose free variables the server's
 * namespace does not define (`RPYC_ERR_TELEPORT_FREE_VARIABLES`, with `names`).
 *
 * @example
 * const x = 1;
 * await classic.teleport(() => x); // TeleportError: … free variable 'x' …
 */
export class TeleportError extends RpycError {
  /** The free variables the server does not define (for `RPYC_ERR_TELEPORT_FREE_VARIABLES`). */
  readonly names: readonly string[];
  constructor(code: string, message: string, names: readonly string[] = []) {
    super(code, message);
    this.name = "TeleportError";
    this.names = names;
  }
}

/**
 * A file transfer failed: a path that is neither file nor directory, a short read, a chunk out
 * of bounds (`RPYC_ERR_TRANSFER`). The message names the path.
 *
 * @example
 * await classic.upload("./missing", "/tmp/x"); // TransferError: … no such file …
 */
export class TransferError extends RpycError {
  constructor(message: string, options?: ErrorOptions) {
    super("RPYC_ERR_TRANSFER", message, options);
    this.name = "TransferError";
  }
}

/**
 * A classic server configured unsafely (a non-loopback address without TLS client
 * certificates or `insecure`, a token file anyone can read): `RPYC_ERR_UNSAFE_CONFIG`.
 *
 * @example
 * await serveClassic({ host: "0.0.0.0", token }); // UnsafeConfigError
 */
export class UnsafeConfigError extends RpycError {
  constructor(message: string) {
    super("RPYC_ERR_UNSAFE_CONFIG", message);
    this.name = "UnsafeConfigError";
  }
}
