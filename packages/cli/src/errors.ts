/**
 * Errors of the `rpyc` command, under core's `RpycError`. A `CliUsageError` is a command line
 * that cannot run (exit status 2); a `CliConnectError` is a server that cannot be reached or
 * that refused us (exit status 1). Both carry a message meant for the user as it is.
 */
import { RpycError } from "@rpyc/core";

/**
 * A bad command line (`RPYC_ERR_USAGE`); its message says what to type instead.
 *
 * @example
 * throw new CliUsageError("--token needs a value");
 */
export class CliUsageError extends RpycError {
  constructor(message: string) {
    super("RPYC_ERR_USAGE", message);
    this.name = "CliUsageError";
  }
}

/**
 * The server is unreachable or refused the connection; `code` is the cause's
 * (`RPYC_ERR_CONNECT`, `RPYC_ERR_AUTHENTICATION`, `RPYC_ERR_TLS_CERTIFICATE`…).
 *
 * @example
 * throw new CliConnectError("RPYC_ERR_CONNECT", "cannot connect to tcp://127.0.0.1:18812: …");
 */
export class CliConnectError extends RpycError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = "CliConnectError";
  }
}
