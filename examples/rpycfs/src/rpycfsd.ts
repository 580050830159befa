/**
 * `rpycfsd <dir>`: serves a directory to `mount.rpycfs` clients over rpyc-ts (TCP, or TLS).
 * Credentials are checked by the transport's authenticator before the service is reachable.
 * Once listening it prints one line: `rpycfsd: serving <dir> on <host>:<port>`.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { serve, type Server } from "@rpyc/transport-tcp";
import { Confinement } from "./confine.ts";
import { readCredentials, UserTable, type Credentials } from "./credentials.ts";
import { makeRpycfsService } from "./fs-service.ts";
import { isMain } from "./is-main.ts";
import { UsageError, readSecretFile } from "./usage.ts";

export const DAEMON_HELP = `usage: rpycfsd <dir> [options]

Serves <dir> to mount.rpycfs clients. Clients see only <dir> and what lies below it.

  --port N              TCP port (default 12345; 0 picks a free one, printed on start)
  --host ADDR           address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --user NAME           the user clients log in as
  --password PW         its password. WARNING: a password on the command line shows in ps(1)
                        to every local user; prefer --password-file or RPYCFS_PASSWORD
  --password-file FILE  read the password from FILE (first line; not readable by group/others)
                        (env RPYCFS_PASSWORD is read when neither is given)
  --users-file FILE     several users, one "name:password" per line (same permission rule)
  --read-only           refuse every change (clients get EROFS)
  --tls-cert FILE       serve TLS with this certificate (PEM) ...
  --tls-key FILE        ... and this key
  --tls-ca FILE         also require client certificates signed by this CA
  -h, --help            this text

Example:
  RPYCFS_PASSWORD=bar rpycfsd /srv/share --port 12345 --user foo
  mount.rpycfs server:/ /mnt/share -o port=12345,user=foo,password_file=/root/pw
`;

/** Parsed daemon options. */
export interface DaemonOptions {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly users: readonly Credentials[];
  readonly readOnly: boolean;
  readonly tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean };
}

/** Reads the command line (and the files and environment it names) into `DaemonOptions`. */
export async function parseDaemonArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<DaemonOptions | "help"> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        "password-file": { type: "string" },
        "users-file": { type: "string" },
        "read-only": { type: "boolean" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        "tls-ca": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (parsed.positionals.length !== 1) throw new UsageError("give exactly one directory to serve");
  const port = Number(v.port ?? "12345");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be 0..65535, not ${v.port}`);
  }
  const users: Credentials[] = [];
  if (v["users-file"] !== undefined) {
    const text = await readSecretFile(v["users-file"], "--users-file");
    for (const line of text.split("\n")) {
      if (line.trim() === "" || line.startsWith("#")) continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new UsageError(`--users-file: expected name:password lines`);
      users.push({ user: line.slice(0, colon), password: line.slice(colon + 1) });
    }
  }
  if (v.user !== undefined) {
    let password = v.password;
    if (password === undefined && v["password-file"] !== undefined) {
      password = (await readSecretFile(v["password-file"], "--password-file")).split("\n")[0];
    }
    password ??= env.RPYCFS_PASSWORD;
    if (password === undefined || password === "") {
      throw new UsageError("--user needs --password, --password-file or RPYCFS_PASSWORD");
    }
    users.push({ user: v.user, password });
  }
  if (users.length === 0) throw new UsageError("give --user (with a password) or --users-file");
  let tls: DaemonOptions["tls"];
  if (v["tls-cert"] !== undefined || v["tls-key"] !== undefined) {
    if (v["tls-cert"] === undefined || v["tls-key"] === undefined) {
      throw new UsageError("--tls-cert and --tls-key go together");
    }
    const ca = v["tls-ca"] === undefined ? undefined : await readFile(v["tls-ca"]);
    tls = {
      cert: await readFile(v["tls-cert"]),
      key: await readFile(v["tls-key"]),
      ...(ca ? { ca, requestCert: true } : {}),
    };
  } else if (v["tls-ca"] !== undefined) {
    throw new UsageError("--tls-ca needs --tls-cert and --tls-key");
  }
  return {
    dir: parsed.positionals[0]!,
    host: v.host ?? "127.0.0.1",
    port,
    users,
    readOnly: v["read-only"] ?? false,
    ...(tls ? { tls } : {}),
  };
}

/**
 * Starts serving; resolves with the listening server.
 *
 * @example
 * const server = await startDaemon({ dir: "/srv", host: "127.0.0.1", port: 0,
 *   users: [{ user: "foo", password: "bar" }], readOnly: false });
 */
export async function startDaemon(
  options: DaemonOptions,
  onError?: (error: unknown) => void,
): Promise<Server> {
  const root = await Confinement.open(options.dir);
  const users = new UserTable(options.users);
  return serve(makeRpycfsService({ root, readOnly: options.readOnly }), {
    host: options.host,
    port: options.port,
    ...(options.tls ? { tls: options.tls } : {}),
    authenticator: async (socket) => ({ user: users.check(await readCredentials(socket)) }),
    ...(onError ? { onError } : {}),
  });
}

export async function main(): Promise<void> {
  let options;
  try {
    options = await parseDaemonArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rpycfsd: ${error.message}\n\n${DAEMON_HELP}`);
      process.exit(2);
    }
    throw error;
  }
  if (options === "help") {
    process.stdout.write(DAEMON_HELP);
    return;
  }
  const server = await startDaemon(options, (error) => {
    if (process.env.RPYCFS_DEBUG) process.stderr.write(`rpycfsd: ${String(error)}\n`);
  });
  process.stdout.write(
    `rpycfsd: serving ${options.dir} on ${server.host}:${server.port}` +
      `${options.readOnly ? " (read-only)" : ""}${options.tls ? " (TLS)" : ""}\n`,
  );
  const stop = (): void => void server.close({ timeout: 1000 }).then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (isMain(import.meta.url)) void run();

/** `main` with its failure printed (exit 1), for the bin shim and direct runs. */
export function run(): Promise<void> {
  return main().catch((error: unknown) => {
    process.stderr.write(`rpycfsd: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  });
}
