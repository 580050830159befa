/**
 * `rpyc-classic`: serves classic mode (RPyC's `rpyc_classic`). This file is the command's entry
 * (bin/rpyc-classic.js), not part of the library API. Exit status: 0 after a clean shutdown
 * (SIGINT, SIGTERM, the one-shot client leaving, stdin closing in stdio mode), 1 when serving
 * fails (an unsafe configuration, a port in use), 2 for a bad command line.
 */
import { readFileSync } from "node:fs";
import { serveStdio } from "@rpyc/transport-stdio";
import { CLASSIC_SERVER_CONFIG, createClassicService } from "./classic-service.ts";
import {
  CLASSIC_HELP,
  CliUsageError,
  parseClassicArgs,
  type ClassicCliOptions,
} from "./cli-options.ts";
import {
  createCliLog,
  createRegistrar,
  readTlsFiles,
  resolveToken,
  type CliLog,
} from "./cli-setup.ts";
import { serveForking } from "./forking-server.ts";
import { checkClassicSafety, serveClassic } from "./serve-classic.ts";

/** What a running mode gives back: how to stop it, and when it ended on its own. */
interface Running {
  readonly stop: () => Promise<void>;
  readonly ended: Promise<void>;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

async function start(options: ClassicCliOptions, log: CliLog): Promise<Running> {
  const resolved = await resolveToken(options);
  const token = resolved.token;
  if (resolved.writtenTo !== undefined) {
    log.info(`token written to ${resolved.writtenTo} (mode 0600)`);
  }
  if (options.mode === "stdio") {
    const service = createClassicService({ token, audit: log.audit, describePeer: () => "stdio" });
    const conn = await serveStdio(service, { config: CLASSIC_SERVER_CONFIG });
    const ended = new Promise<void>((resolve) => {
      if (conn.closed) resolve();
      else conn.on("close", () => resolve());
    });
    return { stop: () => conn.close(), ended };
  }
  const tls = await readTlsFiles(options);
  const safety = {
    host: options.host,
    path: options.socket,
    token: token === false ? undefined : token,
    tls,
    insecure: options.insecure,
  };
  const registrar = createRegistrar(options);
  const onError = (error: unknown) => log.info(`error: ${(error as Error).message}`);
  let running: Running;
  let where: string;
  if (options.mode === "forking") {
    if (options.socket !== undefined)
      throw new CliUsageError("--mode forking serves TCP, not --socket");
    const warning = checkClassicSafety(safety);
    if (warning !== undefined) log.info(warning);
    const server = await serveForking({
      host: options.host,
      port: options.port,
      token,
      tls,
      quiet: options.quiet,
      logfile: options.logfile,
      registrar,
      onError,
    });
    where = `${formatHost(server.host)}:${server.port}`;
    running = { stop: () => server.close(), ended: new Promise(() => {}) };
  } else {
    const server = await serveClassic({
      ...safety,
      port: options.port,
      ipv6Only: options.ipv6 && options.host === "::",
      oneShot: options.mode === "oneshot",
      audit: log.audit,
      registrar,
      onError,
    });
    if (options.mode === "oneshot") {
      // RPyC's oneshot contract: these two lines, on stdout, before anything else.
      process.stdout.write(`rpyc-oneshot\n${server.host ?? server.path}\t${server.port}\n`);
    }
    where = server.path ?? `${formatHost(server.host ?? options.host)}:${server.port}`;
    running = { stop: () => server.close(), ended: server.closed };
  }
  log.info(`classic server (${options.mode}) on ${where}${tls === undefined ? "" : " (TLS)"}`);
  if (resolved.generated) {
    // Shown even with --quiet: without it nobody can connect.
    process.stderr.write(
      `rpyc-classic: token ${String(token)}\n` +
        `rpyc-classic: connect with: npx rpyc ${options.socket === undefined ? `tcp://${where}` : `unix:${where}`} --classic --token ${String(token)}\n`,
    );
  }
  return running;
}

async function main(): Promise<void> {
  let options: ClassicCliOptions;
  try {
    options = parseClassicArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`rpyc-classic: ${(error as Error).message}\nTry 'rpyc-classic --help'.\n`);
    process.exit(2);
  }
  if (options.help) return void process.stdout.write(`${CLASSIC_HELP}\n`);
  if (options.version) return void process.stdout.write(`${packageVersion()}\n`);
  const log = createCliLog(options);
  // Listening before serving: a signal that comes as soon as the server is up still stops it cleanly.
  const stop = new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  let running: Running;
  try {
    running = await start(options, log);
  } catch (error) {
    process.stderr.write(`rpyc-classic: ${(error as Error).message}\n`);
    await log.close();
    process.exit(error instanceof CliUsageError ? 2 : 1);
  }
  const why = await Promise.race([stop, running.ended.then(() => "done")]);
  if (why !== "done") log.info(`${why}: shutting down`);
  await running.stop();
  await log.close();
  process.exit(0);
}

await main();
