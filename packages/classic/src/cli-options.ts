/**
 * The switches of `rpyc-classic` (RPyC's `rpyc_classic`, same names and defaults where they make
 * sense), parsed with `node:util`'s `parseArgs` and checked: a bad switch is a `CliUsageError`
 * with a message that says what to type instead.
 */
import { parseArgs } from "node:util";
import { DEFAULT_CLASSIC_PORT } from "./connect-classic.ts";

/** The modes of `-m/--mode`. */
export type ClassicMode = "threaded" | "forking" | "stdio" | "oneshot";

/** What `rpyc-classic` was asked to do. */
export interface ClassicCliOptions {
  readonly mode: ClassicMode;
  readonly host: string;
  readonly port: number;
  readonly ipv6: boolean;
  readonly sslKeyfile: string | undefined;
  readonly sslCertfile: string | undefined;
  readonly sslCafile: string | undefined;
  readonly register: boolean;
  readonly registryType: "udp" | "tcp";
  readonly registryHost: string | undefined;
  readonly registryPort: number | undefined;
  readonly token: string | undefined;
  readonly tokenFile: string | undefined;
  readonly insecure: boolean;
  readonly socket: string | undefined;
  readonly quiet: boolean;
  readonly logfile: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

/** A command line `rpyc-classic` cannot run; its message says why. Exit status 2. */
export class CliUsageError extends Error {
  readonly code = "RPYC_ERR_USAGE";
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

export const CLASSIC_HELP = `Usage: rpyc-classic [options]

Serves classic mode: whoever connects with the token drives this Node process
(modules, eval/execute, teleport, upload/download). This is remote code execution
by design, and vm is not a sandbox: read docs/classic.md first.

Options:
  -m, --mode <mode>        threaded (default; one process, the event loop serves
                           every client), forking (a child process per client:
                           namespaces isolated), stdio (serve on stdin/stdout),
                           oneshot (serve one client, print "rpyc-oneshot" then
                           "<host>\\t<port>", exit after it)
      --host <address>     address to bind (default 127.0.0.1). Any other than
                           loopback needs TLS with client certificates, or --insecure
  -p, --port <port>        port (default ${DEFAULT_CLASSIC_PORT}; 0 picks a free one)
      --ipv6               bind ::1 instead of 127.0.0.1 (with the default --host)
      --ssl-keyfile <f>    serve TLS with this private key (PEM)
      --ssl-certfile <f>   ... and this certificate (PEM)
      --ssl-cafile <f>     require client certificates signed by this CA (PEM)
      --register           register "CLASSIC" with a registry
      --registry-type <t>  udp (default) or tcp
      --registry-host <h>  registry address (default: udp broadcast; tcp needs it)
      --registry-port <p>  registry port (default 18811)
      --token <token>      the token clients must present (default: a random one,
                           printed on stderr). Also: RPYC_TOKEN
      --token-file <f>     read the token from f (mode 0600), or, if f does not
                           exist, write a random token there with mode 0600
      --insecure           allow a non-loopback address without TLS client
                           certificates (prints a warning)
      --socket <path>      serve a unix socket (created 0600) instead of TCP; no
                           token needed unless one is given
  -q, --quiet              print nothing but errors (and the oneshot lines); the
                           audit log still goes to --logfile if given
      --logfile <f>        append the log (every eval, execute, teleport) to f
  -h, --help               show this help
      --version            print the version

Stops cleanly on SIGINT or SIGTERM.`;

const MODES: readonly ClassicMode[] = ["threaded", "forking", "stdio", "oneshot"];

function portOf(text: string, name: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new CliUsageError(`${name} must be a port number 0-65535 (got '${text}')`);
  }
  return port;
}

/**
 * Parses `argv` (without node and the script).
 *
 * @example
 * parseClassicArgs(["-m", "oneshot", "-p", "0"]).mode; // "oneshot"
 */
export function parseClassicArgs(argv: readonly string[]): ClassicCliOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        mode: { type: "string", short: "m", default: "threaded" },
        host: { type: "string" },
        port: { type: "string", short: "p", default: String(DEFAULT_CLASSIC_PORT) },
        ipv6: { type: "boolean", default: false },
        "ssl-keyfile": { type: "string" },
        "ssl-certfile": { type: "string" },
        "ssl-cafile": { type: "string" },
        register: { type: "boolean", default: false },
        "registry-type": { type: "string", default: "udp" },
        "registry-host": { type: "string" },
        "registry-port": { type: "string" },
        token: { type: "string" },
        "token-file": { type: "string" },
        insecure: { type: "boolean", default: false },
        socket: { type: "string" },
        quiet: { type: "boolean", short: "q", default: false },
        logfile: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const mode = values.mode.toLowerCase() as ClassicMode;
  if (!MODES.includes(mode)) {
    throw new CliUsageError(`--mode must be one of ${MODES.join(", ")} (got '${values.mode}')`);
  }
  const registryType = values["registry-type"].toLowerCase();
  if (registryType !== "udp" && registryType !== "tcp") {
    throw new CliUsageError(`--registry-type must be udp or tcp (got '${registryType}')`);
  }
  if (registryType === "tcp" && values.register && values["registry-host"] === undefined) {
    throw new CliUsageError("--registry-type tcp needs --registry-host");
  }
  if (values.token !== undefined && values["token-file"] !== undefined) {
    throw new CliUsageError("give --token or --token-file, not both");
  }
  const tls = [values["ssl-keyfile"], values["ssl-certfile"]];
  if (tls.some((f) => f !== undefined) && tls.some((f) => f === undefined)) {
    throw new CliUsageError("TLS needs both --ssl-keyfile and --ssl-certfile");
  }
  if (values["ssl-cafile"] !== undefined && tls[0] === undefined) {
    throw new CliUsageError("--ssl-cafile needs --ssl-keyfile and --ssl-certfile");
  }
  if (values.socket !== undefined && values.register) {
    throw new CliUsageError("--register announces a TCP port; it cannot be used with --socket");
  }
  return {
    mode,
    host: values.host ?? (values.ipv6 ? "::1" : "127.0.0.1"),
    port: portOf(values.port, "--port"),
    ipv6: values.ipv6,
    sslKeyfile: values["ssl-keyfile"],
    sslCertfile: values["ssl-certfile"],
    sslCafile: values["ssl-cafile"],
    register: values.register,
    registryType,
    registryHost: values["registry-host"],
    registryPort:
      values["registry-port"] === undefined
        ? undefined
        : portOf(values["registry-port"], "--registry-port"),
    token: values.token,
    tokenFile: values["token-file"],
    insecure: values.insecure,
    socket: values.socket,
    quiet: values.quiet,
    logfile: values.logfile,
    help: values.help,
    version: values.version,
  };
}
