/**
 * The command line of `rpyc`, parsed with `node:util`'s `parseArgs` and checked: a bad switch is
 * a `CliUsageError` whose message says what to type instead. The same parser reads the
 * arguments of the REPL's `.connect` command.
 */
import { parseArgs } from "node:util";
import { CliUsageError } from "./errors.ts";
import { parseTarget, stdioTarget, type Target } from "./target.ts";

/** What `rpyc` was asked to do. */
export interface RpycCliOptions {
  /** Where to connect; undefined only with --help or --version. */
  readonly target: Target | undefined;
  /** `--classic`: authenticate as a classic client (also chosen when the server is classic). */
  readonly classic: boolean;
  readonly token: string | undefined;
  readonly tokenFile: string | undefined;
  /** `--eval SRC`: evaluate, print the result, exit. */
  readonly eval: string | undefined;
  readonly sslCafile: string | undefined;
  readonly sslCertfile: string | undefined;
  readonly sslKeyfile: string | undefined;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export const RPYC_HELP = `Usage: rpyc URL [options]
       rpyc --stdio "command …" [options]
       rpyc --eval "await root.add(1, 2)" URL

Opens a REPL on an rpyc-ts server (top-level await; remote promises are
awaited before printing; Tab completes remote names). In scope: conn, root,
keys, obtain, release, inspect, repr; on a classic server also classic,
modules, eval, execute, namespace, teleport, upload, download, deliver,
redirectStdio.

URL:
  tcp://HOST:PORT          plain TCP (HOST:PORT alone means the same; the port
                           defaults to 18812, rpyc-classic's)
  tls://HOST:PORT          TLS (the server's certificate is verified)
  ws://HOST:PORT/PATH      WebSocket (wss:// for TLS)
  unix:PATH                a unix socket

Options:
      --stdio <command>    run a program that serves on its stdin/stdout (e.g.
                           "npx rpyc-classic -m stdio") and connect to it
      --classic            connect as a classic client (the default when the
                           server is a classic server)
      --token <token>      the classic server's token. Also: RPYC_TOKEN
      --token-file <f>     read the token from f (must be mode 0600)
  -e, --eval <source>      evaluate source (top-level await allowed), print the
                           result, exit (1 if it throws)
      --ssl-cafile <f>     trust this CA for the server's certificate (PEM)
      --ssl-certfile <f>   present this client certificate (PEM) ...
      --ssl-keyfile <f>    ... with this private key (PEM)
  -q, --quiet              no banner
  -h, --help               show this help
      --version            print the version

REPL commands: .stats (both tables), .close, .connect URL [options], .exit,
.help. History: ~/.rpyc_repl_history (RPYC_REPL_HISTORY=path to move it,
RPYC_REPL_HISTORY='' to keep none).

Exit status: 0, 1 when the server is unreachable or refuses the token (or
--eval throws), 2 for a bad command line.`;

/**
 * Parses `argv` (without node and the script).
 *
 * @example
 * parseRpycArgs(["tcp://127.0.0.1:18812", "--classic"]).classic; // true
 */
export function parseRpycArgs(argv: readonly string[]): RpycCliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stdio: { type: "string" },
        classic: { type: "boolean", default: false },
        token: { type: "string" },
        "token-file": { type: "string" },
        eval: { type: "string", short: "e" },
        "ssl-cafile": { type: "string" },
        "ssl-certfile": { type: "string" },
        "ssl-keyfile": { type: "string" },
        quiet: { type: "boolean", short: "q", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new CliUsageError(
      `one URL at a time (got ${positionals.map((p) => `'${p}'`).join(", ")}); quote --eval's source`,
    );
  }
  if (values.token !== undefined && values["token-file"] !== undefined) {
    throw new CliUsageError("give --token or --token-file, not both");
  }
  if ((values["ssl-certfile"] === undefined) !== (values["ssl-keyfile"] === undefined)) {
    throw new CliUsageError("a client certificate needs both --ssl-certfile and --ssl-keyfile");
  }
  const url = positionals[0];
  let target: Target | undefined;
  if (values.stdio !== undefined) {
    if (url !== undefined) throw new CliUsageError("give a URL or --stdio, not both");
    target = stdioTarget(values.stdio);
  } else if (url !== undefined) {
    target = parseTarget(url);
  } else if (!values.help && !values.version) {
    throw new CliUsageError('where to? give a URL (tcp://host:port, unix:PATH…) or --stdio "cmd"');
  }
  const tlsFiles = [values["ssl-cafile"], values["ssl-certfile"]].some((f) => f !== undefined);
  if (tlsFiles && target !== undefined && !usesTls(target)) {
    throw new CliUsageError("--ssl-* options need a tls:// or wss:// URL");
  }
  return {
    target,
    classic: values.classic,
    token: values.token,
    tokenFile: values["token-file"],
    eval: values.eval,
    sslCafile: values["ssl-cafile"],
    sslCertfile: values["ssl-certfile"],
    sslKeyfile: values["ssl-keyfile"],
    quiet: values.quiet,
    help: values.help,
    version: values.version,
  };
}

function usesTls(target: Target): boolean {
  return (
    (target.kind === "tcp" && target.tls) || (target.kind === "ws" && target.url.startsWith("wss:"))
  );
}
