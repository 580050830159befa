/**
 * What `rpyc-classic` prepares from its switches before serving: the token, the TLS files, the
 * registry client, and the log (every eval/execute/teleport, to stderr and/or `--logfile`).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import {
  createTcpRegistryClient,
  createUdpRegistryClient,
  type RegistryClient,
} from "@rpyc/registry";
import type { ServerTlsOptions } from "@rpyc/transport-tcp";
import { auditLine } from "./classic-service.ts";
import type { AuditEntry, AuditLog } from "./classic-session.ts";
import type { ClassicCliOptions } from "./cli-options.ts";
import { writeServerStderr } from "./stdio-redirect.ts";
import { generateToken, readTokenFile, writeTokenFile } from "./token.ts";

/** The token clients must present (`false`: none, on a private transport) and where it came from. */
export interface ResolvedToken {
  readonly token: string | false;
  /** Set when the token was generated and must be shown to the user. */
  readonly generated: boolean;
  /** Set when the token was written to `--token-file`. */
  readonly writtenTo?: string;
}

/**
 * The token: `--token`, `RPYC_TOKEN`, `--token-file` (read it, or write a fresh one there with
 * mode 0600), none on stdio or a unix socket without one, else a generated one.
 *
 * @example
 * const { token } = await resolveToken(options);
 */
export async function resolveToken(options: ClassicCliOptions): Promise<ResolvedToken> {
  const given = options.token ?? process.env["RPYC_TOKEN"];
  if (given !== undefined && given !== "") return { token: given, generated: false };
  if (options.tokenFile !== undefined) {
    try {
      return { token: await readTokenFile(options.tokenFile), generated: false };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const token = generateToken();
    await writeTokenFile(options.tokenFile, token);
    return { token, generated: false, writtenTo: options.tokenFile };
  }
  if (options.mode === "stdio" || options.socket !== undefined) {
    return { token: false, generated: false };
  }
  return { token: generateToken(), generated: true };
}

/**
 * The TLS options of `--ssl-keyfile/--ssl-certfile/--ssl-cafile` (client certificates required
 * when a CA is given), or undefined without TLS.
 *
 * @example
 * const tls = await readTlsFiles(options);
 */
export async function readTlsFiles(
  options: ClassicCliOptions,
): Promise<ServerTlsOptions | undefined> {
  if (options.sslKeyfile === undefined || options.sslCertfile === undefined) return undefined;
  const [key, cert, ca] = await Promise.all([
    readFile(options.sslKeyfile),
    readFile(options.sslCertfile),
    options.sslCafile === undefined ? undefined : readFile(options.sslCafile),
  ]);
  return ca === undefined ? { key, cert } : { key, cert, ca, requestCert: true };
}

/**
 * The registry client of `--register`, or undefined.
 *
 * @example
 * const registrar = createRegistrar({ ...options, register: true });
 */
export function createRegistrar(options: ClassicCliOptions): RegistryClient | undefined {
  if (!options.register) return undefined;
  if (options.registryType === "tcp") {
    return createTcpRegistryClient({
      host: options.registryHost ?? "127.0.0.1",
      port: options.registryPort,
    });
  }
  return createUdpRegistryClient({ host: options.registryHost, port: options.registryPort });
}

/** The command's log: informational lines and the audit log, closed at exit. */
export interface CliLog {
  /** An informational line (on stderr unless --quiet, and in --logfile). */
  info(line: string): void;
  /** The audit log (every authenticate, refusal, eval, execute, teleport, getModule). */
  readonly audit: AuditLog;
  close(): Promise<void>;
}

/**
 * The log of `-q/--quiet` and `--logfile`: lines go to the server's real stderr (never to a
 * client that redirected stdio) unless quiet, and are appended to the log file (created 0600).
 *
 * @example
 * const log = createCliLog({ quiet: false, logfile: undefined });
 * log.info("listening");
 */
export function createCliLog(options: Pick<ClassicCliOptions, "quiet" | "logfile">): CliLog {
  const file: WriteStream | undefined =
    options.logfile === undefined
      ? undefined
      : createWriteStream(options.logfile, { flags: "a", mode: 0o600 });
  const write = (line: string): void => {
    const stamped = `${new Date().toISOString()} ${line}\n`;
    if (!options.quiet) writeServerStderr(stamped);
    file?.write(stamped);
  };
  return {
    info: (line) => write(`rpyc-classic: ${line}`),
    audit: (entry: AuditEntry) => write(auditLine(entry)),
    close: () =>
      new Promise<void>((resolve) => {
        if (file === undefined) resolve();
        else file.end(resolve);
      }),
  };
}
